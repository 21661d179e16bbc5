-- Up Migration

CREATE TABLE certificate (
  id                TEXT           PRIMARY KEY,
  case_id           TEXT           NOT NULL,
  origin_region     CHAR(6)        NOT NULL,
  item_code         TEXT           NOT NULL,
  certificate_type  TEXT           NOT NULL,
  holder_name       TEXT           NOT NULL,
  holder_identifier TEXT           NOT NULL,
  verification_code CHAR(12)       NOT NULL,
  issued_at         TIMESTAMPTZ(6) NOT NULL,
  valid_from        TIMESTAMPTZ(6) NOT NULL,
  valid_until       TIMESTAMPTZ(6),
  body              BYTEA          NOT NULL,
  signature         BYTEA          NOT NULL,
  key_id            TEXT           NOT NULL
);

-- One certificate per case, however often its approval is delivered.
CREATE UNIQUE INDEX certificate_case_id_key ON certificate (case_id);
-- The code printed on the paper copy finds exactly one certificate of this issuer.
CREATE UNIQUE INDEX certificate_verification_code_key ON certificate (verification_code);

CREATE TABLE certificate_revocation (
  certificate_id TEXT           PRIMARY KEY,
  revoked_at     TIMESTAMPTZ(6) NOT NULL,
  revoked_by     TEXT           NOT NULL,
  reason         TEXT           NOT NULL,
  -- A revoked certificate stays in the library: it must keep answering REVOKED.
  CONSTRAINT certificate_revocation_certificate_id_fkey FOREIGN KEY (certificate_id)
    REFERENCES certificate (id) ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE TABLE certificate_sequence (
  day        CHAR(8) PRIMARY KEY,
  last_value INTEGER NOT NULL
);

-- Down Migration

DROP TABLE certificate_sequence;
DROP TABLE certificate_revocation;
DROP TABLE certificate;
