-- Up Migration

-- What the web console reads and searches without decoding every stored CaseSubmitted: the
-- case's trace, when it completed, its channel and who applied. Cases accepted before get theirs
-- from what was stored with them (the CaseSubmitted bytes, the timeline, the outbox row).

CREATE TYPE case_channel AS ENUM ('WINDOW', 'ONLINE', 'TERMINAL');

ALTER TABLE intake_case
  ADD COLUMN trace_id             TEXT NOT NULL DEFAULT '',
  ADD COLUMN completed_at         TIMESTAMPTZ(6),
  ADD COLUMN channel              case_channel,
  ADD COLUMN applicant_identifier TEXT,
  ADD COLUMN applicant_name       TEXT;

-- The raw value of the last occurrence of field `wanted` in a serialized protobuf message (as a
-- decoder keeps the last): the bytes of a length-delimited field, the bytes of a varint. NULL
-- when absent, as proto3 leaves out empty strings and zero enums. Only for this backfill.
CREATE FUNCTION pg_temp.protobuf_field(message BYTEA, wanted INTEGER) RETURNS BYTEA
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  pos     INTEGER := 0;
  tag     BIGINT;
  size    BIGINT;
  shift   INTEGER;
  b       INTEGER;
  started INTEGER;
  found   BYTEA := NULL;
BEGIN
  WHILE pos < length(message) LOOP
    tag := 0;
    shift := 0;
    LOOP
      b := get_byte(message, pos);
      pos := pos + 1;
      tag := tag | ((b & 127)::BIGINT << shift);
      EXIT WHEN b < 128;
      shift := shift + 7;
    END LOOP;
    CASE tag & 7
      WHEN 0 THEN
        started := pos;
        WHILE get_byte(message, pos) >= 128 LOOP
          pos := pos + 1;
        END LOOP;
        pos := pos + 1;
        IF tag >> 3 = wanted THEN
          found := substring(message FROM started + 1 FOR pos - started);
        END IF;
      WHEN 2 THEN
        size := 0;
        shift := 0;
        LOOP
          b := get_byte(message, pos);
          pos := pos + 1;
          size := size | ((b & 127)::BIGINT << shift);
          EXIT WHEN b < 128;
          shift := shift + 7;
        END LOOP;
        IF tag >> 3 = wanted THEN
          found := substring(message FROM pos + 1 FOR size::INTEGER);
        END IF;
        pos := pos + size::INTEGER;
      WHEN 1 THEN
        pos := pos + 8;
      WHEN 5 THEN
        pos := pos + 4;
      ELSE
        RAISE EXCEPTION 'protobuf wire type % is not expected in CaseSubmitted', tag & 7;
    END CASE;
  END LOOP;
  RETURN found;
END
$$;

-- A varint's value (small ones: enum numbers).
CREATE FUNCTION pg_temp.protobuf_varint(raw BYTEA) RETURNS BIGINT
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  value BIGINT := 0;
BEGIN
  FOR i IN 0 .. length(raw) - 1 LOOP
    value := value | ((get_byte(raw, i) & 127)::BIGINT << (7 * i));
  END LOOP;
  RETURN value;
END
$$;

-- CaseSubmitted: applicant = 5 (Applicant: identifier = 2, name = 3), channel = 8
-- (tongban.case.v1.Channel: 1 window, 2 online, 3 terminal). Stored as the checks normalised them.
UPDATE intake_case AS c
   SET channel = (CASE pg_temp.protobuf_varint(pg_temp.protobuf_field(c.submission, 8))
                    WHEN 1 THEN 'WINDOW' WHEN 2 THEN 'ONLINE' WHEN 3 THEN 'TERMINAL'
                  END)::case_channel,
       applicant_identifier = coalesce(
         convert_from(pg_temp.protobuf_field(pg_temp.protobuf_field(c.submission, 5), 2), 'UTF8'),
         ''),
       applicant_name = coalesce(
         convert_from(pg_temp.protobuf_field(pg_temp.protobuf_field(c.submission, 5), 3), 'UTF8'),
         '');

DROP FUNCTION pg_temp.protobuf_varint(BYTEA);
DROP FUNCTION pg_temp.protobuf_field(BYTEA, INTEGER);

-- Every case was submitted with a channel (INTAKE.CHANNEL_REQUIRED): one without is a fault to
-- look at, and fails the migration here.
ALTER TABLE intake_case
  ALTER COLUMN channel SET NOT NULL,
  ALTER COLUMN applicant_identifier SET NOT NULL,
  ALTER COLUMN applicant_name SET NOT NULL;

-- Completed here (hand-over) or reported completed: the time of its COMPLETED entry.
UPDATE intake_case AS c
   SET completed_at = (SELECT min(t.at) FROM timeline_entry t
                        WHERE t.case_id = c.id AND t.status = 'COMPLETED')
 WHERE c.status = 'COMPLETED';

-- The trace the CaseSubmitted outbox row carries (W3C traceparent `00-<trace id>-<span id>-<flags>`),
-- while the outbox still holds it.
UPDATE intake_case AS c
   SET trace_id = substring(o.headers ->> 'traceparent' FROM 4 FOR 32)
  FROM outbox AS o
 WHERE o.message_key = c.id
   AND o.headers ->> 'tongban-event-type' = 'tongban.intake.v1.CaseSubmitted'
   AND o.headers ->> 'traceparent' ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$'
   AND substring(o.headers ->> 'traceparent' FROM 4 FOR 32) <> repeat('0', 32);

-- The console's search: a case by its applicant's ID number or credit code.
CREATE INDEX intake_case_applicant_identifier_idx ON intake_case (applicant_identifier);
-- The dashboard's period.
CREATE INDEX intake_case_submitted_at_idx ON intake_case (submitted_at);

-- Down Migration

DROP INDEX intake_case_submitted_at_idx;
DROP INDEX intake_case_applicant_identifier_idx;
ALTER TABLE intake_case
  DROP COLUMN trace_id,
  DROP COLUMN completed_at,
  DROP COLUMN channel,
  DROP COLUMN applicant_identifier,
  DROP COLUMN applicant_name;
DROP TYPE case_channel;
