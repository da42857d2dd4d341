"""Bookings made by staff: the meeting's language, who booked, an identity checked in
person, and a time outside the worker's weekly hours.

Revision ID: 0005_staff_bookings
Revises: 0004_closures
Create Date: 2026-12-03 18:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005_staff_bookings'
down_revision = '0004_closures'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.add_column(sa.Column('meeting_language', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('booked_by_staff_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('identity_check', sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column('outside_hours', sa.Boolean(), server_default='0', nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_bookings_booked_by_staff_id_staff_users'),
            'staff_users',
            ['booked_by_staff_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_bookings_booked_by_staff_id_staff_users'), type_='foreignkey'
        )
        batch_op.drop_column('outside_hours')
        batch_op.drop_column('identity_check')
        batch_op.drop_column('booked_by_staff_id')
        batch_op.drop_column('meeting_language')
