"""Video rooms: when the booking was cancelled, so that its links say so.

Revision ID: 0006_room_cancelled
Revises: 0005_staff_bookings
Create Date: 2026-12-03 18:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006_room_cancelled'
down_revision = '0005_staff_bookings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('video_rooms') as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('video_rooms') as batch_op:
        batch_op.drop_column('cancelled_at')
