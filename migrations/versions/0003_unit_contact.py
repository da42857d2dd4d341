"""Units: the phone number and its opening hours, shown to families.

Revision ID: 0003_unit_contact
Revises: 0002
Create Date: 2026-12-03 17:45:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003_unit_contact'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units') as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('phone_hours', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('units') as batch_op:
        batch_op.drop_column('phone_hours')
        batch_op.drop_column('phone')
