"""Busy version: the bookings version also covers busy times imported from calendars.

Revision ID: 0015_busy_version
Revises: 0014_family_cancels
Create Date: 2026-12-04 05:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_busy_version'
down_revision = '0014_family_cancels'
branch_labels = None
depends_on = None


def upgrade():
    # The numbers stay: caches live in the web processes, which start afresh with the code
    # that reads the new name.
    with op.batch_alter_table('professionals') as batch_op:
        batch_op.alter_column('bookings_version', new_column_name='busy_version')


def downgrade():
    with op.batch_alter_table('professionals') as batch_op:
        batch_op.alter_column('busy_version', new_column_name='bookings_version')
