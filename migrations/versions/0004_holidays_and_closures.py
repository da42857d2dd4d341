"""Holidays and closures: the organisation's holiday region, units and services that stay
open on holidays, and closure days set by an administrator.

Revision ID: 0004_closures
Revises: 0003_unit_contact
Create Date: 2026-12-03 17:45:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004_closures'
down_revision = '0003_unit_contact'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations') as batch_op:
        batch_op.add_column(sa.Column('holiday_region', sa.String(length=8), nullable=True))
    with op.batch_alter_table('units') as batch_op:
        batch_op.add_column(
            sa.Column('open_on_holidays', sa.Boolean(), server_default='0', nullable=False)
        )
    with op.batch_alter_table('services') as batch_op:
        batch_op.add_column(
            sa.Column('open_on_holidays', sa.Boolean(), server_default='0', nullable=False)
        )
    op.create_table('closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('reason', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=True),
    sa.CheckConstraint('start_time IS NULL OR end_time IS NULL OR start_time < end_time', name=op.f('ck_closures_start_before_end')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_closures_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_closures_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closures'))
    )
    op.create_index('ix_closures_organisation_day', 'closures', ['organisation_id', 'day'], unique=False)


def downgrade():
    op.drop_index('ix_closures_organisation_day', table_name='closures')
    op.drop_table('closures')
    with op.batch_alter_table('services') as batch_op:
        batch_op.drop_column('open_on_holidays')
    with op.batch_alter_table('units') as batch_op:
        batch_op.drop_column('open_on_holidays')
    with op.batch_alter_table('organisations') as batch_op:
        batch_op.drop_column('holiday_region')
