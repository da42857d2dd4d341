"""Interpreters: the organisation's list, the family's requests, and the service's settings
for interpreter languages and for naming the others taking part.

Revision ID: 0010_interpreters
Revises: 0009_participants
Create Date: 2026-12-03 20:20:00

"""
import sqlalchemy as sa
from alembic import op

import scheduler.kernel


# revision identifiers, used by Alembic.
revision = '0010_interpreters'
down_revision = '0009_participants'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('interpreters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', scheduler.kernel.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_interpreters_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreters'))
    )
    with op.batch_alter_table('interpreters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreters_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('interpreter_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('requested_at', scheduler.kernel.UTCDateTime(), nullable=False),
    sa.Column('filled_at', scheduler.kernel.UTCDateTime(), nullable=True),
    sa.Column('flagged_at', scheduler.kernel.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_interpreter_requests_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_interpreter_requests_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreter_requests')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_interpreter_requests_booking_id'))
    )
    with op.batch_alter_table('interpreter_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreter_requests_filled_at'), ['filled_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interpreter_requests_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interpreter_languages', sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column('participant_names_shown', sa.Boolean(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('participant_names_shown')
        batch_op.drop_column('interpreter_languages')
    with op.batch_alter_table('interpreter_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreter_requests_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_interpreter_requests_filled_at'))
    op.drop_table('interpreter_requests')
    with op.batch_alter_table('interpreters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreters_organisation_id'))
    op.drop_table('interpreters')
