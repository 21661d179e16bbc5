-- Up Migration

CREATE TYPE case_status AS ENUM (
  'SUBMITTED', 'FORWARDED', 'RECEIVED', 'UNDER_REVIEW', 'SUPPLEMENT_REQUESTED', 'SUPPLEMENTED',
  'SURVEY_REQUIRED', 'SURVEYED', 'APPROVED', 'REJECTED', 'CERTIFICATE_ISSUED', 'DISPATCHED',
  'DELIVERED', 'COMPLETED', 'WITHDRAWN'
);

CREATE TABLE intake_case (
  id               TEXT           PRIMARY KEY,
  handling_region  CHAR(6)        NOT NULL,
  item_code        TEXT           NOT NULL,
  item_name        TEXT           NOT NULL,
  status           case_status    NOT NULL DEFAULT 'SUBMITTED',
  submission       BYTEA          NOT NULL,
  submitted_at     TIMESTAMPTZ(6) NOT NULL,
  submitted_by     TEXT           NOT NULL,
  idempotency_key  TEXT,
  request_sha256   CHAR(64)       NOT NULL,
  correlation_id   TEXT           NOT NULL,
  certificate_id   TEXT,
  certificate      BYTEA,
  rejection_reason TEXT,
  updated_at       TIMESTAMPTZ(6) NOT NULL
);

CREATE UNIQUE INDEX intake_case_idempotency_key_key ON intake_case (idempotency_key);
-- The window desk's lists: by status, and by partner region and status.
CREATE INDEX intake_case_status_idx ON intake_case (status);
CREATE INDEX intake_case_handling_region_status_idx ON intake_case (handling_region, status);

CREATE TABLE case_material (
  case_id      TEXT    NOT NULL,
  position     INTEGER NOT NULL,
  code         TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  sha256       CHAR(64) NOT NULL,
  size_bytes   BIGINT  NOT NULL,
  content_type TEXT    NOT NULL,
  CONSTRAINT case_material_pkey PRIMARY KEY (case_id, position),
  CONSTRAINT case_material_case_id_fkey FOREIGN KEY (case_id)
    REFERENCES intake_case (id) ON DELETE RESTRICT ON UPDATE CASCADE
);

-- Which cases reference a blob (the exchange sends it, a clean-up keeps it).
CREATE INDEX case_material_sha256_idx ON case_material (sha256);

CREATE TABLE timeline_entry (
  id       BIGSERIAL      PRIMARY KEY,
  case_id  TEXT           NOT NULL,
  status   case_status    NOT NULL,
  at       TIMESTAMPTZ(6) NOT NULL,
  region   CHAR(6)        NOT NULL,
  note     TEXT           NOT NULL DEFAULT '',
  actor    TEXT,
  event_id UUID,
  CONSTRAINT timeline_entry_case_id_fkey FOREIGN KEY (case_id)
    REFERENCES intake_case (id) ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE INDEX timeline_entry_case_id_id_idx ON timeline_entry (case_id, id);

CREATE TABLE case_counter (
  day           CHAR(8) PRIMARY KEY,
  last_sequence INTEGER NOT NULL
);

-- Down Migration

DROP TABLE case_counter;
DROP TABLE timeline_entry;
DROP TABLE case_material;
DROP TABLE intake_case;
DROP TYPE case_status;
