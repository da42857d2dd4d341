"""Schedule versions: what cached free times are checked against.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 22:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('professionals') as batch_op:
        batch_op.add_column(
            sa.Column('schedule_version', sa.BigInteger(), server_default='0', nullable=False)
        )
    op.create_table('schedule_days',
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_schedule_days_professional_id_professionals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('professional_id', 'day', name=op.f('pk_schedule_days'))
    )


def downgrade():
    op.drop_table('schedule_days')
    with op.batch_alter_table('professionals') as batch_op:
        batch_op.drop_column('schedule_version')
