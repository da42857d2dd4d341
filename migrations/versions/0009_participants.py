"""Participants: everyone in a booking beyond its first client, and the services' rules
for a second client.

Revision ID: 0009_participants
Revises: 0008_bookings_version
Create Date: 2026-12-03 20:30:00

"""
import sqlalchemy as sa
from alembic import op



# revision identifiers, used by Alembic.
revision = '0009_participants'
down_revision = '0008_bookings_version'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('booking_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('client', 'interpreter', 'professional', 'guest', name='participantrole', native_enum=False, create_constraint=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('attendance', sa.Enum('invited', 'confirmed', 'declined', name='attendance', native_enum=False, create_constraint=False, length=16), nullable=False),
    sa.Column('manage_token_hash', sa.String(length=64), nullable=True),
    sa.Column('professional_id', sa.Integer(), nullable=True),
    sa.Column('video_participant_id', sa.Integer(), nullable=True),
    sa.Column('added_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('personal_data_removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("attendance IN ('invited', 'confirmed', 'declined')", name=op.f('ck_booking_participants_attendance_known')),
    sa.CheckConstraint("role IN ('client', 'interpreter', 'professional', 'guest')", name=op.f('ck_booking_participants_role_known')),
    sa.ForeignKeyConstraint(['added_by_staff_id'], ['staff_users.id'], name=op.f('fk_booking_participants_added_by_staff_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_participants_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_booking_participants_professional_id_professionals'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_participants')),
    sa.UniqueConstraint('manage_token_hash', name=op.f('uq_booking_participants_manage_token_hash'))
    )
    with op.batch_alter_table('booking_participants') as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_participants_booking_id'), ['booking_id'], unique=False)
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.add_column(sa.Column('client_left_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('services') as batch_op:
        batch_op.add_column(sa.Column('allows_second_client', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('client_leaving_cancels', sa.Boolean(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('services') as batch_op:
        batch_op.drop_column('client_leaving_cancels')
        batch_op.drop_column('allows_second_client')
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.drop_column('client_left_at')
    with op.batch_alter_table('booking_participants') as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_participants_booking_id'))
    op.drop_table('booking_participants')
