-- Up Migration

-- The exchange's message log (ARCHITECTURE §6, X-Road style, 全程留痕): every envelope sent or
-- received, its signature and its receipt, in one append-only, hash-chained sequence. The
-- exchange service applies this folder (TRUST_MIGRATIONS_DIR of @tongban/trust) to its own
-- database, in its own migrations table (TRUST_MIGRATIONS_TABLE), before its own migrations.
--
-- Append-only is enforced here, not only in code: UPDATE, DELETE and TRUNCATE are refused by
-- triggers, and an INSERT is accepted only when it extends the chain at its head. The table owner
-- can still disable triggers, so in production the service connects as a role that was granted
-- only what it needs, and is not the owner:
--   GRANT SELECT, INSERT ON message_log TO exchange_app;
--   GRANT SELECT, UPDATE ON message_log_head TO exchange_app;   -- FOR UPDATE needs UPDATE
-- Whoever owns the database can still rewrite the history wholesale; the hash chain makes that
-- detectable (verifyLog) and the receipts exchanged with partners, which carry log_index and
-- log_hash, make it provable against a copy held outside this database.

-- One row per logged event. Entries are facts and never change: a receipt that arrives later,
-- a retry, a final failure are new entries of the same message_id.
CREATE TABLE message_log (
  -- 1, 2, 3, ... without gaps: assigned from message_log_head, not a sequence, because a
  -- sequence value consumed by a rolled-back append would leave a hole that looks like a deletion.
  log_index         BIGINT      PRIMARY KEY CHECK (log_index > 0),
  logged_at         TIMESTAMPTZ NOT NULL,
  direction         TEXT        NOT NULL CHECK (direction IN ('IN', 'OUT')),
  peer_region       TEXT        NOT NULL,
  -- Empty when the envelope could not be decoded (logged as REJECTED all the same).
  message_id        TEXT        NOT NULL,
  case_id           TEXT        NOT NULL,
  sequence          BIGINT      NOT NULL CHECK (sequence >= 0),
  status            TEXT        NOT NULL
    CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED', 'DUPLICATE', 'FAILED')),
  -- Stable code of a refusal or failure (EXCHANGE.*), empty otherwise.
  error_code        TEXT        NOT NULL DEFAULT '',
  envelope_sha256   TEXT        NOT NULL CHECK (envelope_sha256 ~ '^[0-9a-f]{64}$'),
  -- The SignedEnvelope as it travelled: the exact envelope bytes, signature and key id.
  envelope          BYTEA       NOT NULL,
  signature         BYTEA       NOT NULL,
  key_id            TEXT        NOT NULL,
  -- The SignedReceipt, when there is one yet.
  receipt           BYTEA,
  receipt_signature BYTEA,
  receipt_key_id    TEXT,
  prev_hash         TEXT        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  entry_hash        TEXT        NOT NULL UNIQUE CHECK (entry_hash ~ '^[0-9a-f]{64}$'),
  CHECK ((receipt IS NULL) = (receipt_signature IS NULL) AND (receipt IS NULL) = (receipt_key_id IS NULL))
);

CREATE INDEX message_log_message_idx ON message_log (message_id);
CREATE INDEX message_log_case_idx ON message_log (case_id, log_index);

-- The end of the chain, in one row. Appenders lock it (SELECT … FOR UPDATE) to take the next index
-- and the previous hash, which makes appends strictly serial; it also lets verifyLog notice that
-- entries were cut off the end, which the chain alone cannot show.
CREATE TABLE message_log_head (
  singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
  last_index BIGINT  NOT NULL,
  -- Genesis: 64 zeros, the prev_hash of entry 1.
  last_hash  TEXT    NOT NULL
);
INSERT INTO message_log_head (last_index, last_hash) VALUES (0, repeat('0', 64));

-- An entry must extend the chain exactly at its head; the head then moves to it. A writer that
-- skipped the head lock, or computed against a stale head, is refused instead of forking the chain.
CREATE FUNCTION message_log_extend_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head message_log_head%ROWTYPE;
BEGIN
  SELECT * INTO head FROM message_log_head FOR UPDATE;
  IF NEW.log_index <> head.last_index + 1 OR NEW.prev_hash <> head.last_hash THEN
    RAISE EXCEPTION 'LOG.NOT_AT_HEAD: entry % (prev %) does not extend the head % (%)',
      NEW.log_index, NEW.prev_hash, head.last_index, head.last_hash
      USING ERRCODE = 'serialization_failure';
  END IF;
  UPDATE message_log_head SET last_index = NEW.log_index, last_hash = NEW.entry_hash;
  RETURN NEW;
END
$$;

CREATE TRIGGER message_log_extend_head BEFORE INSERT ON message_log
  FOR EACH ROW EXECUTE FUNCTION message_log_extend_head();

CREATE FUNCTION message_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'LOG.APPEND_ONLY: % on % is refused; the message log is append-only',
    TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER message_log_append_only BEFORE UPDATE OR DELETE ON message_log
  FOR EACH ROW EXECUTE FUNCTION message_log_refuse_change();
CREATE TRIGGER message_log_no_truncate BEFORE TRUNCATE ON message_log
  FOR EACH STATEMENT EXECUTE FUNCTION message_log_refuse_change();

-- The head moves only through message_log_extend_head (trigger depth 2); a direct UPDATE or
-- DELETE (depth 1) is refused, so nobody can rewind it to hide cut-off entries.
CREATE FUNCTION message_log_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'LOG.APPEND_ONLY: % on % is refused; the head moves only by appending',
    TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER message_log_head_guard BEFORE UPDATE OR DELETE ON message_log_head
  FOR EACH ROW EXECUTE FUNCTION message_log_head_guard();
CREATE TRIGGER message_log_head_no_truncate BEFORE TRUNCATE ON message_log_head
  FOR EACH STATEMENT EXECUTE FUNCTION message_log_refuse_change();

-- No down migration on purpose: the message log is evidence (全程留痕). Dropping it is a
-- decision for a person, not a step of a rollback.
