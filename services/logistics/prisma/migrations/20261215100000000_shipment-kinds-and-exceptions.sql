-- Up Migration

-- Mail both ways (邮寄办): a case has several parcels (the pickup of its original materials, its
-- result, parcels sent again), and a lost or returned parcel waits for a person.
CREATE TYPE shipment_kind AS ENUM ('RESULT', 'MATERIALS_PICKUP');
CREATE TYPE shipment_exception AS ENUM ('NONE', 'OPEN', 'RESOLVED');
CREATE TYPE shipment_resolution AS ENUM ('RESEND', 'CLOSE');

DROP INDEX shipment_case_id_key;

ALTER TABLE shipment
  -- Every shipment so far was a result parcel.
  ADD COLUMN kind                    shipment_kind      NOT NULL DEFAULT 'RESULT',
  ADD COLUMN attempt                 INTEGER            NOT NULL DEFAULT 1,
  ADD COLUMN to_window               BOOLEAN            NOT NULL DEFAULT false,
  ADD COLUMN exception               shipment_exception NOT NULL DEFAULT 'NONE',
  ADD COLUMN exception_reason        TEXT,
  ADD COLUMN exception_opened_at     TIMESTAMPTZ(6),
  ADD COLUMN resolution              shipment_resolution,
  ADD COLUMN resolution_note         TEXT,
  ADD COLUMN resolved_by             TEXT,
  ADD COLUMN resolved_at             TIMESTAMPTZ(6),
  ADD COLUMN resolution_published_at TIMESTAMPTZ(6),
  ADD COLUMN replaced_by             UUID,
  -- A materials pickup comes before any certificate.
  ALTER COLUMN certificate_id DROP NOT NULL;

-- New rows name their kind.
ALTER TABLE shipment ALTER COLUMN kind DROP DEFAULT;

-- One first parcel of each kind per case, however often its event arrives; a resend is the next
-- attempt.
CREATE UNIQUE INDEX shipment_case_id_kind_attempt_key ON shipment (case_id, kind, attempt);
-- A parcel is replaced by one parcel at most.
CREATE UNIQUE INDEX shipment_replaced_by_key ON shipment (replaced_by);
-- The list of open exceptions.
CREATE INDEX shipment_exception_idx ON shipment (exception);
ALTER TABLE shipment
  ADD CONSTRAINT shipment_replaced_by_fkey FOREIGN KEY (replaced_by)
    REFERENCES shipment (id) ON DELETE RESTRICT ON UPDATE CASCADE;

-- Down Migration

ALTER TABLE shipment DROP CONSTRAINT shipment_replaced_by_fkey;
DROP INDEX shipment_exception_idx;
DROP INDEX shipment_replaced_by_key;
DROP INDEX shipment_case_id_kind_attempt_key;
-- Only the first parcel of a result survives the way back to one parcel per case.
DELETE FROM tracking_event
 WHERE shipment_id IN (SELECT id FROM shipment WHERE kind <> 'RESULT' OR attempt <> 1);
DELETE FROM shipment WHERE kind <> 'RESULT' OR attempt <> 1;
ALTER TABLE shipment
  ALTER COLUMN certificate_id SET NOT NULL,
  DROP COLUMN replaced_by,
  DROP COLUMN resolution_published_at,
  DROP COLUMN resolved_at,
  DROP COLUMN resolved_by,
  DROP COLUMN resolution_note,
  DROP COLUMN resolution,
  DROP COLUMN exception_opened_at,
  DROP COLUMN exception_reason,
  DROP COLUMN exception,
  DROP COLUMN to_window,
  DROP COLUMN attempt,
  DROP COLUMN kind;
CREATE UNIQUE INDEX shipment_case_id_key ON shipment (case_id);
DROP TYPE shipment_resolution;
DROP TYPE shipment_exception;
DROP TYPE shipment_kind;
