-- Up Migration

-- When the renewal reminder (CertificateExpiring) went out, in the service's business time. Set
-- in the transaction that enqueues the event, so each certificate is reminded exactly once.
ALTER TABLE certificate ADD COLUMN reminded_at TIMESTAMPTZ(6);

-- The reminder sweep and ListExpiring look certificates up by their end of validity.
CREATE INDEX certificate_valid_until_idx ON certificate (valid_until);

-- Down Migration

DROP INDEX certificate_valid_until_idx;
ALTER TABLE certificate DROP COLUMN reminded_at;
