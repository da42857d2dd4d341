"""Follow-up series: the bookings of one series share an id.

Revision ID: 0007_booking_series
Revises: 0006_room_cancelled
Create Date: 2026-12-03 18:45:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007_booking_series'
down_revision = '0006_room_cancelled'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_bookings_series_id'), ['series_id'], unique=False)


def downgrade():
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_series_id'))
        batch_op.drop_column('series_id')
