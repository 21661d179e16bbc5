-- Up Migration

CREATE TYPE case_role AS ENUM ('ORIGIN', 'HANDLER');
CREATE TYPE message_kind AS ENUM ('CASE_TRANSFER', 'STATUS_REPORT');
CREATE TYPE outbound_state AS ENUM ('PENDING', 'DELIVERED', 'REJECTED', 'FAILED');
CREATE TYPE inbound_state AS ENUM ('HELD', 'APPLIED', 'REJECTED');

-- One case as exchanged with one partner. The row is also the lock that serialises everything
-- done to the case in one direction: sequence numbers, applying inbound messages in order.
CREATE TABLE case_channel (
  case_id              TEXT           NOT NULL,
  peer_region          CHAR(6)        NOT NULL,
  role                 case_role      NOT NULL,
  last_out_sequence    INTEGER        NOT NULL DEFAULT 0,
  applied_in_sequence  INTEGER        NOT NULL DEFAULT 0,
  reported_status      TEXT,
  transfer_accepted_at TIMESTAMPTZ(6),
  correlation_id       TEXT           NOT NULL,
  created_at           TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, peer_region)
);

CREATE TABLE outbound_message (
  message_id        UUID           PRIMARY KEY,
  case_id           TEXT           NOT NULL,
  recipient_region  CHAR(6)        NOT NULL,
  sequence          INTEGER        NOT NULL CHECK (sequence > 0),
  kind              message_kind   NOT NULL,
  status            TEXT,
  envelope          BYTEA          NOT NULL,
  signature         BYTEA          NOT NULL,
  key_id            TEXT           NOT NULL,
  envelope_sha256   CHAR(64)       NOT NULL,
  state             outbound_state NOT NULL DEFAULT 'PENDING',
  attempts          INTEGER        NOT NULL DEFAULT 0,
  next_attempt_at   TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
  last_error        TEXT,
  error_code        TEXT,
  created_at        TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
  finished_at       TIMESTAMPTZ(6),
  receipt           BYTEA,
  receipt_signature BYTEA,
  receipt_key_id    TEXT
);

CREATE UNIQUE INDEX outbound_message_case_id_recipient_region_sequence_key
  ON outbound_message (case_id, recipient_region, sequence);
-- The delivery worker's question: what is due?
CREATE INDEX outbound_message_state_next_attempt_at_idx ON outbound_message (state, next_attempt_at);

-- Wakes the delivery worker when a transaction with new messages commits (notifications are
-- delivered on commit), so a case does not wait for the next poll.
CREATE FUNCTION outbound_message_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tongban_exchange_outbound', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER outbound_message_notify AFTER INSERT ON outbound_message
  FOR EACH STATEMENT EXECUTE FUNCTION outbound_message_notify();

CREATE TABLE inbound_message (
  sender_region     CHAR(6)        NOT NULL,
  message_id        TEXT           NOT NULL,
  case_id           TEXT           NOT NULL,
  sequence          INTEGER        NOT NULL CHECK (sequence > 0),
  kind              message_kind   NOT NULL,
  state             inbound_state  NOT NULL,
  error_code        TEXT,
  envelope          BYTEA          NOT NULL,
  signature         BYTEA          NOT NULL,
  key_id            TEXT           NOT NULL,
  envelope_sha256   CHAR(64)       NOT NULL,
  receipt           BYTEA          NOT NULL,
  receipt_signature BYTEA          NOT NULL,
  receipt_key_id    TEXT           NOT NULL,
  received_at       TIMESTAMPTZ(6) NOT NULL,
  applied_at        TIMESTAMPTZ(6),
  PRIMARY KEY (sender_region, message_id)
);

-- A sequence number is used once per case and sender: a second message under it is refused.
CREATE UNIQUE INDEX inbound_message_sender_region_case_id_sequence_key
  ON inbound_message (sender_region, case_id, sequence);

CREATE TABLE held_status (
  id            BIGSERIAL      PRIMARY KEY,
  case_id       TEXT           NOT NULL,
  origin_region CHAR(6)        NOT NULL,
  status        TEXT           NOT NULL,
  report        BYTEA          NOT NULL,
  traceparent   TEXT           NOT NULL DEFAULT '',
  tracestate    TEXT           NOT NULL DEFAULT '',
  created_at    TIMESTAMPTZ(6) NOT NULL DEFAULT now()
);

CREATE INDEX held_status_case_id_origin_region_idx ON held_status (case_id, origin_region);

-- Down Migration

DROP TABLE held_status;
DROP TABLE inbound_message;
DROP TRIGGER outbound_message_notify ON outbound_message;
DROP FUNCTION outbound_message_notify();
DROP TABLE outbound_message;
DROP TABLE case_channel;
DROP TYPE inbound_state;
DROP TYPE outbound_state;
DROP TYPE message_kind;
DROP TYPE case_role;
