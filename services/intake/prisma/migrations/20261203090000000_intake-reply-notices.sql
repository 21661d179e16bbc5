-- Up Migration

-- The window's own notice that it handed in a supplement or survey media, so the clerk sees the
-- answer went out while the handling region has not confirmed it yet.
ALTER TYPE timeline_kind ADD VALUE 'REPLY_SUBMITTED';

-- Down Migration

-- PostgreSQL cannot drop a value from an enum: the type is rebuilt without it.
DELETE FROM timeline_entry WHERE kind = 'REPLY_SUBMITTED';
ALTER TABLE timeline_entry ALTER COLUMN kind DROP DEFAULT;
ALTER TYPE timeline_kind RENAME TO timeline_kind_old;
CREATE TYPE timeline_kind AS ENUM (
  'STATUS', 'TRACKING', 'MAIL_EXCEPTION', 'MAIL_EXCEPTION_RESOLVED', 'DEADLINE_APPROACHING',
  'OVERDUE', 'SURVEY_EVIDENCE', 'RENEWAL_OFFERED', 'CERTIFICATE_REVOKED', 'HANDOVER'
);
ALTER TABLE timeline_entry DROP CONSTRAINT timeline_entry_status_or_notice;
ALTER TABLE timeline_entry
  ALTER COLUMN kind TYPE timeline_kind USING kind::text::timeline_kind;
ALTER TABLE timeline_entry ALTER COLUMN kind SET DEFAULT 'STATUS';
ALTER TABLE timeline_entry
  ADD CONSTRAINT timeline_entry_status_or_notice CHECK ((kind = 'STATUS') = (status IS NOT NULL));
DROP TYPE timeline_kind_old;
