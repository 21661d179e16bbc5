-- Up Migration

-- Tables of the transactional outbox and the idempotent inbox (ARCHITECTURE §6). Every service
-- that publishes or consumes has them in its own database, created by its own migrations.

-- One row per event to publish, written in the same transaction as the business change.
CREATE TABLE outbox (
  id           BIGSERIAL PRIMARY KEY,
  event_id     UUID        NOT NULL UNIQUE,
  topic        TEXT        NOT NULL,
  message_key  TEXT        NOT NULL,
  payload      BYTEA       NOT NULL,
  headers      JSONB       NOT NULL DEFAULT '{}'::jsonb,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  published_at TIMESTAMPTZ,
  attempts     INTEGER     NOT NULL DEFAULT 0,
  last_error   TEXT,
  -- Set when Kafka refused the row for good (e.g. too large): it is skipped and an operator
  -- decides; the rest of the outbox keeps flowing.
  parked_at    TIMESTAMPTZ
);

-- The relay only ever reads rows still to publish; this index stays small however long the log grows.
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE published_at IS NULL AND parked_at IS NULL;

-- Wakes the relay the moment a transaction with new outbox rows commits (notifications are
-- delivered on commit), so publishing does not wait for the next poll.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tongban_outbox', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- One row per event a consumer group has applied, written in the same transaction as the effect.
CREATE TABLE inbox (
  consumer_group TEXT        NOT NULL,
  event_id       UUID        NOT NULL,
  processed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
);

-- Down Migration

DROP TABLE inbox;
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION outbox_notify();
DROP TABLE outbox;
