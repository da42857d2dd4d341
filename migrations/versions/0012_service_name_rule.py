"""Services: what the booking form asks of the family's name (required, nickname, none).

Revision ID: 0012_service_name_rule
Revises: 0011_team_services
Create Date: 2026-12-03 20:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_service_name_rule'
down_revision = '0011_team_services'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('services') as batch_op:
        batch_op.add_column(
            sa.Column('name_rule', sa.String(length=16), server_default='required', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('services') as batch_op:
        batch_op.drop_column('name_rule')
