"""Services: whether the family may cancel through its own link.

Revision ID: 0014_family_cancels
Revises: 0013_api_tokens
Create Date: 2026-12-04 01:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_family_cancels'
down_revision = '0013_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('services') as batch_op:
        batch_op.add_column(
            sa.Column('family_cancels', sa.Boolean(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('services') as batch_op:
        batch_op.drop_column('family_cancels')
