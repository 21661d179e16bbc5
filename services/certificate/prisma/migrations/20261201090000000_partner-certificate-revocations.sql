-- Up Migration

-- Partners' certificates their issuer revoked, as the issuer told us over the exchange (a
-- CERTIFICATE_REVOKED notice for a case that came from our window). VerifyCertificate answers
-- REVOKED for a presented partner certificate found here. Keyed by issuer and number: a region
-- can only revoke what it issued, so a notice never revokes another issuer's certificate, and a
-- second notice for the same certificate changes nothing (the first revocation stands).
CREATE TABLE partner_certificate_revocation (
  issuer_region     CHAR(6)        NOT NULL,
  certificate_id    TEXT           NOT NULL,
  revoked_at        TIMESTAMPTZ(6) NOT NULL,
  reason            TEXT           NOT NULL,
  case_id           TEXT           NOT NULL,
  -- The exchange's RemoteNotice that told us, to trace a revocation back to its message.
  exchange_event_id UUID           NOT NULL,
  recorded_at       TIMESTAMPTZ(6) NOT NULL,
  CONSTRAINT partner_certificate_revocation_pkey PRIMARY KEY (issuer_region, certificate_id)
);

-- Down Migration

DROP TABLE partner_certificate_revocation;
