-- Up Migration

-- Origin → handler: supplementary materials (补正) and survey media (远程踏勘); handler → origin:
-- timeline notices that are not status changes. Added values are not used in this transaction.
ALTER TYPE message_kind ADD VALUE 'SUPPLEMENT';
ALTER TYPE message_kind ADD VALUE 'SURVEY_EVIDENCE';
ALTER TYPE message_kind ADD VALUE 'NOTICE';

-- The round of a supplement or survey status report (0 for every other status): a status can
-- now legitimately be reported more than once per case, once per round, so "reported already"
-- compares status and round.
ALTER TABLE held_status ADD COLUMN round INTEGER NOT NULL DEFAULT 0 CHECK (round >= 0);
ALTER TABLE outbound_message ADD COLUMN round INTEGER NOT NULL DEFAULT 0 CHECK (round >= 0);

-- Down Migration

ALTER TABLE outbound_message DROP COLUMN round;
ALTER TABLE held_status DROP COLUMN round;
-- Postgres cannot drop enum values: the type is recreated (refused while messages of the new
-- kinds exist, which cannot be represented without them).
ALTER TYPE message_kind RENAME TO message_kind_with_notices;
CREATE TYPE message_kind AS ENUM ('CASE_TRANSFER', 'STATUS_REPORT');
ALTER TABLE outbound_message
  ALTER COLUMN kind TYPE message_kind USING kind::text::message_kind;
ALTER TABLE inbound_message
  ALTER COLUMN kind TYPE message_kind USING kind::text::message_kind;
DROP TYPE message_kind_with_notices;
