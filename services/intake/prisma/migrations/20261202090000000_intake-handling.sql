-- Up Migration

-- Handling as the seeds describe: pre-review, supplements and surveys answered at the window,
-- notices from the handling region, one-thing bundles and renewal offers.

-- Not used below: a value added inside the migration transaction is usable only after it commits.
ALTER TYPE case_status ADD VALUE 'PRE_REVIEWED' AFTER 'UNDER_REVIEW';

CREATE TYPE timeline_kind AS ENUM (
  'STATUS', 'TRACKING', 'MAIL_EXCEPTION', 'MAIL_EXCEPTION_RESOLVED', 'DEADLINE_APPROACHING',
  'OVERDUE', 'SURVEY_EVIDENCE', 'RENEWAL_OFFERED', 'CERTIFICATE_REVOKED', 'HANDOVER'
);

CREATE TABLE bundle (
  id              TEXT           PRIMARY KEY,
  code            TEXT           NOT NULL,
  name            TEXT           NOT NULL,
  submitted_at    TIMESTAMPTZ(6) NOT NULL,
  submitted_by    TEXT           NOT NULL,
  idempotency_key TEXT,
  request_sha256  CHAR(64)       NOT NULL
);

CREATE UNIQUE INDEX bundle_idempotency_key_key ON bundle (idempotency_key);

ALTER TABLE intake_case
  ADD COLUMN bundle_id       TEXT,
  ADD COLUMN open_supplement BYTEA,
  ADD COLUMN open_survey     BYTEA,
  ADD COLUMN due_at          TIMESTAMPTZ(6),
  ADD COLUMN overdue         BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN mail_exception  BOOLEAN NOT NULL DEFAULT false,
  ADD CONSTRAINT intake_case_bundle_id_fkey FOREIGN KEY (bundle_id)
    REFERENCES bundle (id) ON DELETE RESTRICT ON UPDATE CASCADE;

-- GetBundle reads a bundle's cases.
CREATE INDEX intake_case_bundle_id_idx ON intake_case (bundle_id);

ALTER TABLE case_material ADD COLUMN round INTEGER NOT NULL DEFAULT 0;

-- Notices (tracking, deadlines, mail exceptions …) are entries without a status.
ALTER TABLE timeline_entry
  ALTER COLUMN status DROP NOT NULL,
  ADD COLUMN kind timeline_kind NOT NULL DEFAULT 'STATUS',
  ADD CONSTRAINT timeline_entry_status_or_notice CHECK ((kind = 'STATUS') = (status IS NOT NULL));

CREATE TYPE reply_kind AS ENUM ('SUPPLEMENT', 'SURVEY');

-- One row per answered round: a second answer to the same round is refused by the key.
CREATE TABLE case_reply (
  case_id      TEXT           NOT NULL,
  kind         reply_kind     NOT NULL,
  round        INTEGER        NOT NULL,
  submitted_at TIMESTAMPTZ(6) NOT NULL,
  submitted_by TEXT           NOT NULL,
  note         TEXT           NOT NULL DEFAULT '',
  CONSTRAINT case_reply_pkey PRIMARY KEY (case_id, kind, round),
  CONSTRAINT case_reply_case_id_fkey FOREIGN KEY (case_id)
    REFERENCES intake_case (id) ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE TABLE survey_medium (
  case_id      TEXT           NOT NULL,
  round        INTEGER        NOT NULL,
  position     INTEGER        NOT NULL,
  checkpoint   TEXT           NOT NULL,
  sha256       CHAR(64)       NOT NULL,
  size_bytes   BIGINT         NOT NULL,
  content_type TEXT           NOT NULL,
  captured_at  TIMESTAMPTZ(6) NOT NULL,
  description  TEXT           NOT NULL DEFAULT '',
  CONSTRAINT survey_medium_pkey PRIMARY KEY (case_id, round, position),
  CONSTRAINT survey_medium_case_id_fkey FOREIGN KEY (case_id)
    REFERENCES intake_case (id) ON DELETE RESTRICT ON UPDATE CASCADE
);

-- Which cases reference a blob, as for materials.
CREATE INDEX survey_medium_sha256_idx ON survey_medium (sha256);

CREATE TABLE renewal_offer (
  id              UUID           PRIMARY KEY,
  case_id         TEXT           NOT NULL,
  certificate_id  TEXT           NOT NULL,
  handling_region CHAR(6)        NOT NULL,
  item_code       TEXT           NOT NULL,
  valid_until     TIMESTAMPTZ(6) NOT NULL,
  offered_at      TIMESTAMPTZ(6) NOT NULL,
  revoked_at      TIMESTAMPTZ(6),
  renewal_case_id TEXT,
  CONSTRAINT renewal_offer_case_id_fkey FOREIGN KEY (case_id)
    REFERENCES intake_case (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT renewal_offer_renewal_case_id_fkey FOREIGN KEY (renewal_case_id)
    REFERENCES intake_case (id) ON DELETE RESTRICT ON UPDATE CASCADE
);

-- One offer per certificate of a case, however often the reminder arrives.
CREATE UNIQUE INDEX renewal_offer_case_id_certificate_id_key
  ON renewal_offer (case_id, certificate_id);
CREATE UNIQUE INDEX renewal_offer_renewal_case_id_key ON renewal_offer (renewal_case_id);
CREATE INDEX renewal_offer_offered_at_idx ON renewal_offer (offered_at);

-- Down Migration

DROP TABLE renewal_offer;
DROP TABLE survey_medium;
DROP TABLE case_reply;
DROP TYPE reply_kind;
DELETE FROM timeline_entry WHERE kind <> 'STATUS';
ALTER TABLE timeline_entry
  DROP CONSTRAINT timeline_entry_status_or_notice,
  DROP COLUMN kind,
  ALTER COLUMN status SET NOT NULL;
ALTER TABLE case_material DROP COLUMN round;
DROP INDEX intake_case_bundle_id_idx;
ALTER TABLE intake_case
  DROP CONSTRAINT intake_case_bundle_id_fkey,
  DROP COLUMN bundle_id,
  DROP COLUMN open_supplement,
  DROP COLUMN open_survey,
  DROP COLUMN due_at,
  DROP COLUMN overdue,
  DROP COLUMN mail_exception;
DROP TABLE bundle;
DROP TYPE timeline_kind;
-- PostgreSQL cannot drop an enum value: the type is rebuilt without it. Cases pre-reviewed at
-- the handling region fall back to UNDER_REVIEW, the status before it.
UPDATE intake_case SET status = 'UNDER_REVIEW' WHERE status = 'PRE_REVIEWED';
DELETE FROM timeline_entry WHERE status = 'PRE_REVIEWED';
ALTER TYPE case_status RENAME TO case_status_with_pre_review;
CREATE TYPE case_status AS ENUM (
  'SUBMITTED', 'FORWARDED', 'RECEIVED', 'UNDER_REVIEW', 'SUPPLEMENT_REQUESTED', 'SUPPLEMENTED',
  'SURVEY_REQUIRED', 'SURVEYED', 'APPROVED', 'REJECTED', 'CERTIFICATE_ISSUED', 'DISPATCHED',
  'DELIVERED', 'COMPLETED', 'WITHDRAWN'
);
ALTER TABLE intake_case ALTER COLUMN status DROP DEFAULT;
ALTER TABLE intake_case
  ALTER COLUMN status TYPE case_status USING status::text::case_status;
ALTER TABLE intake_case ALTER COLUMN status SET DEFAULT 'SUBMITTED';
ALTER TABLE timeline_entry
  ALTER COLUMN status TYPE case_status USING status::text::case_status;
DROP TYPE case_status_with_pre_review;
