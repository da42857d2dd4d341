"""The initial schema: organisations, services, availability, bookings, access log,
calendar feeds, outbox, video rooms, staff accounts and figures.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 07:17:07.129623

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    is_postgres = op.get_bind().dialect.name == "postgresql"
    if is_postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('email_from', sa.String(length=255), nullable=True),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisations_slug'))
    )
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('sealed', sa.Text(), nullable=True),
    sa.Column('group_key', sa.String(length=160), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('before_min', sa.Integer(), nullable=True),
    sa.Column('event_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_outbox_messages_channel_known')),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')", name=op.f('ck_outbox_messages_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_messages_idempotency_key'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_group_key'), ['group_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_status_next', ['status', 'next_attempt_at'], unique=False)

    op.create_table('access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=64), nullable=False),
    sa.Column('client_ref', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('result', sa.String(length=32), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_access_log_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index('ix_access_log_client_ref', ['client_ref'], unique=False)
        batch_op.create_index('ix_access_log_org_seq', ['organisation_id', 'seq'], unique=True)

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_units_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('professionals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_professionals_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_professionals_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_professionals'))
    )
    with op.batch_alter_table('professionals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_professionals_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_professionals_unit_id'), ['unit_id'], unique=False)

    op.create_table('services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('slot_interval_min', sa.Integer(), nullable=False),
    sa.Column('buffer_before_min', sa.Integer(), nullable=False),
    sa.Column('buffer_after_min', sa.Integer(), nullable=False),
    sa.Column('min_notice_min', sa.Integer(), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('max_per_worker_per_day', sa.Integer(), nullable=True),
    sa.Column('requires_strong_id', sa.Boolean(), nullable=False),
    sa.Column('meeting_modes', sa.JSON(), nullable=False),
    sa.Column('intake_questions', sa.JSON(), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('reminder_rules', sa.JSON(), nullable=True),
    sa.Column('staff_notices', sa.Boolean(), nullable=False),
    sa.Column('bookable', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_services_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_services_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_services_unit_id'), ['unit_id'], unique=False)

    op.create_table('absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_absences_start_before_end')),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_absences_professional_id_professionals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absences'))
    )
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absences_professional_id'), ['professional_id'], unique=False)

    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=80), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('block_start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('block_end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('meeting_mode', sa.String(length=16), nullable=False),
    sa.Column('hold_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hold_token_hash', sa.String(length=64), nullable=True),
    sa.Column('manage_token_hash', sa.String(length=64), nullable=True),
    sa.Column('client_name', sa.String(length=200), nullable=True),
    sa.Column('client_email', sa.String(length=255), nullable=True),
    sa.Column('client_phone', sa.String(length=32), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('intake_answers', sa.JSON(), nullable=False),
    sa.Column('identity_subject', sa.String(length=255), nullable=True),
    sa.Column('identity_name', sa.String(length=200), nullable=True),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.String(length=16), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=True),
    sa.Column('personal_data_removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('held', 'confirmed', 'cancelled', 'completed', 'no_show', 'expired')", name=op.f('ck_bookings_status_known')),
    sa.CheckConstraint('block_start_at <= start_at AND end_at <= block_end_at', name=op.f('ck_bookings_block_covers_meeting')),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_bookings_start_before_end')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_bookings_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_bookings_professional_id_professionals')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_bookings_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('hold_token_hash', name=op.f('uq_bookings_hold_token_hash')),
    sa.UniqueConstraint('manage_token_hash', name=op.f('uq_bookings_manage_token_hash')),
    sa.UniqueConstraint('uid', name=op.f('uq_bookings_uid'))
    )
    if is_postgres:
        # The database itself refuses overlapping active bookings of one professional.
        op.execute(
            "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist "
            "(professional_id WITH =, tstzrange(block_start_at, block_end_at, '[)') WITH &&) "
            "WHERE (status IN ('held', 'confirmed'))"
        )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bookings_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_bookings_professional_block', ['professional_id', 'block_start_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_status'), ['status'], unique=False)

    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('etag', sa.String(length=500), nullable=True),
    sa.Column('last_modified', sa.String(length=100), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=40), nullable=True),
    sa.Column('last_error_detail', sa.Text(), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_calendar_feeds_professional_id_professionals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds'))
    )
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feeds_last_attempt_at'), ['last_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_feeds_professional_id'), ['professional_id'], unique=False)

    op.create_table('external_busy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=True),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source_uid', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_external_busy_professional_id_professionals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_busy'))
    )
    with op.batch_alter_table('external_busy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_busy_feed_id'), ['feed_id'], unique=False)
        batch_op.create_index('ix_external_busy_professional_start', ['professional_id', 'start_at'], unique=False)

    op.create_table('extra_openings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('service_ids', sa.JSON(), nullable=False),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_extra_openings_start_before_end')),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_extra_openings_professional_id_professionals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extra_openings'))
    )
    with op.batch_alter_table('extra_openings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extra_openings_professional_id'), ['professional_id'], unique=False)

    op.create_table('feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(professional_id IS NULL) <> (unit_id IS NULL)', name=op.f('ck_feed_tokens_one_owner')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_feed_tokens_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_feed_tokens_professional_id_professionals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_feed_tokens_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feed_tokens_token_hash'))
    )
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_tokens_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feed_tokens_professional_id'), ['professional_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feed_tokens_unit_id'), ['unit_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=True),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_feedback_rating_1_to_5')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_feedback_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_feedback_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_feedback_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_org_received', ['organisation_id', 'received_on'], unique=False)

    op.create_table('figure_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('measured_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('t3_days', sa.Integer(), nullable=True),
    sa.Column('free_times', sa.Integer(), nullable=True),
    sa.Column('booked_times', sa.Integer(), nullable=True),
    sa.Column('activity_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bookings', sa.Integer(), nullable=True),
    sa.Column('cancelled_by_client', sa.Integer(), nullable=True),
    sa.Column('cancelled_by_staff', sa.Integer(), nullable=True),
    sa.Column('cancelled_by_system', sa.Integer(), nullable=True),
    sa.Column('held', sa.Integer(), nullable=True),
    sa.Column('no_shows', sa.Integer(), nullable=True),
    sa.Column('unmarked', sa.Integer(), nullable=True),
    sa.Column('video', sa.Integer(), nullable=True),
    sa.Column('phone', sa.Integer(), nullable=True),
    sa.Column('feedback_count', sa.Integer(), nullable=True),
    sa.Column('feedback_sum', sa.Integer(), nullable=True),
    sa.CheckConstraint("(scope = 'unit' AND service_id IS NULL AND subject_id = unit_id) OR (scope = 'service' AND service_id IS NOT NULL AND subject_id = service_id)", name=op.f('ck_figure_snapshots_subject_matches_scope')),
    sa.CheckConstraint("scope IN ('service', 'unit')", name=op.f('ck_figure_snapshots_scope_known')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_figure_snapshots_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_figure_snapshots_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_figure_snapshots_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_figure_snapshots')),
    sa.UniqueConstraint('day', 'scope', 'subject_id', name='uq_figure_snapshots_subject_day')
    )
    with op.batch_alter_table('figure_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_figure_snapshots_org_day', ['organisation_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_figure_snapshots_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_figure_snapshots_unit_id'), ['unit_id'], unique=False)

    op.create_table('service_professionals',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_service_professionals_professional_id_professionals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_professionals_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', 'professional_id', name=op.f('pk_service_professionals'))
    )
    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=True),
    sa.Column('oidc_issuer', sa.String(length=255), nullable=True),
    sa.Column('oidc_subject', sa.String(length=255), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role != 'unit_admin' OR unit_id IS NOT NULL", name=op.f('ck_staff_users_unit_admin_has_unit')),
    sa.CheckConstraint("role IN ('worker', 'unit_admin', 'org_admin')", name=op.f('ck_staff_users_role_known')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_staff_users_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_staff_users_professional_id_professionals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_staff_users_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users'))
    )
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.create_index('ix_staff_users_oidc', ['oidc_issuer', 'oidc_subject'], unique=True)
        batch_op.create_index('ix_staff_users_org_email', ['organisation_id', 'email'], unique=True)
        batch_op.create_index(batch_op.f('ix_staff_users_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_users_professional_id'), ['professional_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_users_unit_id'), ['unit_id'], unique=False)

    op.create_table('weekly_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('service_ids', sa.JSON(), nullable=False),
    sa.CheckConstraint('start_time < end_time', name=op.f('ck_weekly_rules_start_before_end')),
    sa.CheckConstraint('weekday >= 0 AND weekday <= 6', name=op.f('ck_weekly_rules_weekday_range')),
    sa.ForeignKeyConstraint(['professional_id'], ['professionals.id'], name=op.f('fk_weekly_rules_professional_id_professionals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_rules'))
    )
    with op.batch_alter_table('weekly_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_weekly_rules_professional_id'), ['professional_id'], unique=False)

    op.create_table('feedback_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_feedback_invites_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_feedback_invites_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_feedback_invites_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_feedback_invites_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_invites')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_feedback_invites_booking_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feedback_invites_token_hash'))
    )
    with op.batch_alter_table('feedback_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_invites_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('video_rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_video_rooms_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_rooms')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_video_rooms_booking_id'))
    )
    with op.batch_alter_table('video_rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_rooms_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('video_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('link_salt', sa.String(length=32), nullable=True),
    sa.Column('link_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('admitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['room_id'], ['video_rooms.id'], name=op.f('fk_video_participants_room_id_video_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_participants')),
    sa.UniqueConstraint('link_hash', name=op.f('uq_video_participants_link_hash'))
    )
    with op.batch_alter_table('video_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_participants_room_id'), ['room_id'], unique=False)



def downgrade():
    with op.batch_alter_table('video_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_participants_room_id'))

    op.drop_table('video_participants')
    with op.batch_alter_table('video_rooms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_rooms_organisation_id'))

    op.drop_table('video_rooms')
    with op.batch_alter_table('feedback_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_invites_organisation_id'))

    op.drop_table('feedback_invites')
    with op.batch_alter_table('weekly_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_weekly_rules_professional_id'))

    op.drop_table('weekly_rules')
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_users_unit_id'))
        batch_op.drop_index(batch_op.f('ix_staff_users_professional_id'))
        batch_op.drop_index(batch_op.f('ix_staff_users_organisation_id'))
        batch_op.drop_index('ix_staff_users_org_email')
        batch_op.drop_index('ix_staff_users_oidc')

    op.drop_table('staff_users')
    op.drop_table('service_professionals')
    with op.batch_alter_table('figure_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_figure_snapshots_unit_id'))
        batch_op.drop_index(batch_op.f('ix_figure_snapshots_service_id'))
        batch_op.drop_index('ix_figure_snapshots_org_day')

    op.drop_table('figure_snapshots')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_org_received')

    op.drop_table('feedback')
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_tokens_unit_id'))
        batch_op.drop_index(batch_op.f('ix_feed_tokens_professional_id'))
        batch_op.drop_index(batch_op.f('ix_feed_tokens_organisation_id'))

    op.drop_table('feed_tokens')
    with op.batch_alter_table('extra_openings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extra_openings_professional_id'))

    op.drop_table('extra_openings')
    with op.batch_alter_table('external_busy', schema=None) as batch_op:
        batch_op.drop_index('ix_external_busy_professional_start')
        batch_op.drop_index(batch_op.f('ix_external_busy_feed_id'))

    op.drop_table('external_busy')
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_professional_id'))
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_last_attempt_at'))

    op.drop_table('calendar_feeds')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_status'))
        batch_op.drop_index(batch_op.f('ix_bookings_service_id'))
        batch_op.drop_index('ix_bookings_professional_block')
        batch_op.drop_index(batch_op.f('ix_bookings_organisation_id'))

    op.drop_table('bookings')
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absences_professional_id'))

    op.drop_table('absences')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_services_unit_id'))
        batch_op.drop_index(batch_op.f('ix_services_organisation_id'))

    op.drop_table('services')
    with op.batch_alter_table('professionals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_professionals_unit_id'))
        batch_op.drop_index(batch_op.f('ix_professionals_organisation_id'))

    op.drop_table('professionals')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_organisation_id'))

    op.drop_table('units')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_access_log_org_seq')
        batch_op.drop_index('ix_access_log_client_ref')

    op.drop_table('access_log')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_status_next')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_group_key'))

    op.drop_table('outbox_messages')
    op.drop_table('organisations')
