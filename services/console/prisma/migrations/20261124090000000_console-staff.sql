-- Up Migration
CREATE TYPE staff_role AS ENUM ('CLERK', 'REVIEWER', 'APPROVER', 'OPERATOR');

CREATE TABLE staff_account (
  username text PRIMARY KEY,
  name text NOT NULL,
  region text NOT NULL,
  role staff_role NOT NULL,
  password_hash text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE session (
  token_hash bytea PRIMARY KEY,
  username text NOT NULL REFERENCES staff_account (username) ON DELETE CASCADE ON UPDATE CASCADE,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  last_seen_at timestamptz(3) NOT NULL DEFAULT now(),
  expires_at timestamptz(3) NOT NULL
);
CREATE INDEX session_username_idx ON session (username);
CREATE INDEX session_expires_at_idx ON session (expires_at);

-- Down Migration
DROP TABLE session;
DROP TABLE staff_account;
DROP TYPE staff_role;
