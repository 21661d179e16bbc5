-- Up Migration

CREATE TYPE handling_mode AS ENUM ('INSTANT', 'STANDARD');
CREATE TYPE task_state AS ENUM ('OPEN', 'APPROVED', 'REJECTED', 'CANCELLED');

CREATE TABLE review_task (
  id            UUID         PRIMARY KEY,
  case_id       TEXT         NOT NULL,
  origin_region CHAR(6)      NOT NULL,
  item_code     TEXT         NOT NULL,
  item_name     TEXT         NOT NULL,
  mode          handling_mode NOT NULL,
  state         task_state   NOT NULL DEFAULT 'OPEN',
  case_snapshot BYTEA        NOT NULL,
  received_at   TIMESTAMPTZ(6) NOT NULL,
  due_at        TIMESTAMPTZ(6) NOT NULL,
  decided_at    TIMESTAMPTZ(6),
  decided_by    TEXT,
  reason        TEXT,
  rule          TEXT
);

CREATE UNIQUE INDEX review_task_case_id_key ON review_task (case_id);
-- The reviewer queue: open tasks by deadline.
CREATE INDEX review_task_state_due_at_idx ON review_task (state, due_at);

-- Down Migration

DROP TABLE review_task;
DROP TYPE task_state;
DROP TYPE handling_mode;
