-- Up Migration

-- Handling as the seeds describe: two-level review, pre-review, supplement and survey rounds
-- (both pause the time limit), the SLA clock with its warnings, and instant decisions recorded
-- with the rule set that made them.

-- New values are appended (and not used in this migration): ADD VALUE may run in the migration
-- transaction as long as nothing uses the value before it commits.
ALTER TYPE handling_mode ADD VALUE 'TWO_LEVEL';
ALTER TYPE task_state ADD VALUE 'SUPPLEMENT_REQUESTED';
ALTER TYPE task_state ADD VALUE 'SURVEY_REQUESTED';
ALTER TYPE task_state ADD VALUE 'PRE_REVIEWED';

ALTER TABLE review_task
  ADD COLUMN department              TEXT,
  ADD COLUMN approval_department     TEXT,
  ADD COLUMN survey_required         BOOLEAN        NOT NULL DEFAULT false,
  ADD COLUMN originals_required      BOOLEAN        NOT NULL DEFAULT false,
  ADD COLUMN time_limit_working_days INTEGER,
  ADD COLUMN pre_review_working_days INTEGER,
  ADD COLUMN warn_at                 TIMESTAMPTZ(6),
  ADD COLUMN pre_review_due_at       TIMESTAMPTZ(6),
  ADD COLUMN paused_since            TIMESTAMPTZ(6),
  ADD COLUMN used_ms                 BIGINT         NOT NULL DEFAULT 0,
  ADD COLUMN warned_at               TIMESTAMPTZ(6),
  ADD COLUMN overdue_at              TIMESTAMPTZ(6),
  ADD COLUMN pre_reviewed_by         TEXT,
  ADD COLUMN pre_reviewed_at         TIMESTAMPTZ(6),
  ADD COLUMN pre_review_note         TEXT,
  ADD COLUMN rule_set_version        TEXT,
  ADD COLUMN rule_trace              JSONB,
  ADD COLUMN cancelled_at            TIMESTAMPTZ(6);

-- Tasks opened before this migration: their department is read from the region file when shown
-- (empty here); their time limit is recovered from the deadline, which was computed then with
-- weekends as the only non-working days (China time); the warning falls at 80% of the wall time.
UPDATE review_task
   SET department = '',
       time_limit_working_days = (
         SELECT count(*)
           FROM generate_series(
                  (received_at AT TIME ZONE 'Asia/Shanghai')::date + 1,
                  (due_at AT TIME ZONE 'Asia/Shanghai')::date,
                  interval '1 day') AS day
          WHERE extract(isodow FROM day) < 6),
       warn_at = received_at + (due_at - received_at) * 0.8,
       pre_review_due_at = due_at;
UPDATE review_task SET pre_review_working_days = time_limit_working_days;

ALTER TABLE review_task
  ALTER COLUMN department SET NOT NULL,
  ALTER COLUMN time_limit_working_days SET NOT NULL,
  ALTER COLUMN pre_review_working_days SET NOT NULL,
  ALTER COLUMN warn_at SET NOT NULL,
  ALTER COLUMN pre_review_due_at SET NOT NULL;

-- The deadline sweep: running tasks whose warning time has come.
CREATE INDEX review_task_state_warn_at_idx ON review_task (state, warn_at);

-- 补正: one row per request; the materials that came back in supplement_material.
CREATE TABLE supplement_round (
  id                  UUID           PRIMARY KEY,
  task_id             UUID           NOT NULL REFERENCES review_task (id) ON DELETE CASCADE,
  round               INTEGER        NOT NULL,
  -- [{ code, name, reason }] as the reviewer asked.
  requested_materials JSONB          NOT NULL,
  note                TEXT           NOT NULL,
  requested_by        TEXT           NOT NULL,
  requested_at        TIMESTAMPTZ(6) NOT NULL,
  -- When the materials reached review; the pause ends here.
  submitted_at        TIMESTAMPTZ(6),
  submitted_note      TEXT,
  message_id          TEXT
);
CREATE UNIQUE INDEX supplement_round_task_id_round_key ON supplement_round (task_id, round);

CREATE TABLE supplement_material (
  round_id     UUID     NOT NULL REFERENCES supplement_round (id) ON DELETE CASCADE,
  position     INTEGER  NOT NULL,
  code         TEXT     NOT NULL,
  name         TEXT     NOT NULL,
  sha256       CHAR(64) NOT NULL,
  size_bytes   BIGINT   NOT NULL,
  content_type TEXT     NOT NULL,
  PRIMARY KEY (round_id, position)
);

-- 远程踏勘: one row per request; the photos and videos in survey_medium.
CREATE TABLE survey_round (
  id           UUID           PRIMARY KEY,
  task_id      UUID           NOT NULL REFERENCES review_task (id) ON DELETE CASCADE,
  round        INTEGER        NOT NULL,
  -- [{ code, description }] as the reviewer asked.
  checkpoints  JSONB          NOT NULL,
  note         TEXT           NOT NULL,
  requested_by TEXT           NOT NULL,
  requested_at TIMESTAMPTZ(6) NOT NULL,
  submitted_at TIMESTAMPTZ(6),
  message_id   TEXT,
  accepted_at  TIMESTAMPTZ(6),
  accepted_by  TEXT
);
CREATE UNIQUE INDEX survey_round_task_id_round_key ON survey_round (task_id, round);

CREATE TABLE survey_medium (
  round_id     UUID           NOT NULL REFERENCES survey_round (id) ON DELETE CASCADE,
  position     INTEGER        NOT NULL,
  checkpoint   TEXT           NOT NULL,
  sha256       CHAR(64)       NOT NULL,
  size_bytes   BIGINT         NOT NULL,
  content_type TEXT           NOT NULL,
  captured_at  TIMESTAMPTZ(6) NOT NULL,
  description  TEXT           NOT NULL,
  PRIMARY KEY (round_id, position)
);

-- Down Migration

DROP TABLE survey_medium;
DROP TABLE survey_round;
DROP TABLE supplement_material;
DROP TABLE supplement_round;
DROP INDEX review_task_state_warn_at_idx;

-- Enum values cannot be dropped: tasks in the new states or modes go, the types are rebuilt.
DELETE FROM review_task
 WHERE state::text IN ('SUPPLEMENT_REQUESTED', 'SURVEY_REQUESTED', 'PRE_REVIEWED')
    OR mode::text = 'TWO_LEVEL';

ALTER TABLE review_task
  DROP COLUMN department,
  DROP COLUMN approval_department,
  DROP COLUMN survey_required,
  DROP COLUMN originals_required,
  DROP COLUMN time_limit_working_days,
  DROP COLUMN pre_review_working_days,
  DROP COLUMN warn_at,
  DROP COLUMN pre_review_due_at,
  DROP COLUMN paused_since,
  DROP COLUMN used_ms,
  DROP COLUMN warned_at,
  DROP COLUMN overdue_at,
  DROP COLUMN pre_reviewed_by,
  DROP COLUMN pre_reviewed_at,
  DROP COLUMN pre_review_note,
  DROP COLUMN rule_set_version,
  DROP COLUMN rule_trace,
  DROP COLUMN cancelled_at;

DROP INDEX review_task_state_due_at_idx;
ALTER TABLE review_task ALTER COLUMN state DROP DEFAULT;
ALTER TYPE task_state RENAME TO task_state_old;
CREATE TYPE task_state AS ENUM ('OPEN', 'APPROVED', 'REJECTED', 'CANCELLED');
ALTER TABLE review_task ALTER COLUMN state TYPE task_state USING state::text::task_state;
ALTER TABLE review_task ALTER COLUMN state SET DEFAULT 'OPEN';
DROP TYPE task_state_old;
ALTER TYPE handling_mode RENAME TO handling_mode_old;
CREATE TYPE handling_mode AS ENUM ('INSTANT', 'STANDARD');
ALTER TABLE review_task ALTER COLUMN mode TYPE handling_mode USING mode::text::handling_mode;
DROP TYPE handling_mode_old;
CREATE INDEX review_task_state_due_at_idx ON review_task (state, due_at);
