"""Team services: pools of professionals per service, and companion bookings.

Revision ID: 0011_team_services
Revises: 0010_interpreters
Create Date: 2026-12-03 20:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_team_services'
down_revision = '0010_interpreters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_pools',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_pools_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_pools')),
    sa.UniqueConstraint('service_id', 'position', name='one_pool_per_position')
    )
    with op.batch_alter_table('service_pools') as batch_op:
        batch_op.create_index(batch_op.f('ix_service_pools_service_id'), ['service_id'], unique=False)
    op.create_table('service_pool_members',
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['service_pools.id'], name=op.f('fk_service_pool_members_pool_id_service_pools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_service_pool_members_professional_id_professionals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pool_id', 'professional_id', name=op.f('pk_service_pool_members'))
    )
    with op.batch_alter_table('service_pool_members') as batch_op:
        batch_op.create_index(batch_op.f('ix_service_pool_members_professional_id'), ['professional_id'], unique=False)
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.add_column(sa.Column('lead_booking_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_bookings_lead_booking_id'), ['lead_booking_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_bookings_lead_booking_id_bookings'), 'bookings', ['lead_booking_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('bookings') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bookings_lead_booking_id_bookings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_bookings_lead_booking_id'))
        batch_op.drop_column('lead_booking_id')
    with op.batch_alter_table('service_pool_members') as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_pool_members_professional_id'))
    op.drop_table('service_pool_members')
    with op.batch_alter_table('service_pools') as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_pools_service_id'))
    op.drop_table('service_pools')
