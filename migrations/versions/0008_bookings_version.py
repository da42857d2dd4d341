"""Bookings versions: one counter per professional instead of one per professional and date.

Revision ID: 0008_bookings_version
Revises: 0007_booking_series
Create Date: 2026-12-03 18:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_bookings_version'
down_revision = '0007_booking_series'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('professionals') as batch_op:
        batch_op.add_column(
            sa.Column('bookings_version', sa.BigInteger(), server_default='0', nullable=False)
        )
    op.drop_table('schedule_days')


def downgrade():
    op.create_table('schedule_days',
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_schedule_days_professional_id_professionals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('professional_id', 'day', name=op.f('pk_schedule_days'))
    )
    with op.batch_alter_table('professionals') as batch_op:
        batch_op.drop_column('bookings_version')
