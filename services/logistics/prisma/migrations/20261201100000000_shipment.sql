-- Up Migration

CREATE TYPE shipment_state AS ENUM ('CREATED', 'PICKED_UP', 'IN_TRANSIT', 'DELIVERED', 'FAILED');

CREATE TABLE shipment (
  id                    UUID           PRIMARY KEY,
  case_id               TEXT           NOT NULL,
  origin_region         CHAR(6)        NOT NULL,
  certificate_id        TEXT           NOT NULL,
  carrier               TEXT           NOT NULL,
  tracking_number       TEXT,
  state                 shipment_state NOT NULL DEFAULT 'CREATED',
  contents              TEXT           NOT NULL,
  sender                BYTEA          NOT NULL,
  recipient             BYTEA          NOT NULL,
  created_at            TIMESTAMPTZ(6) NOT NULL,
  next_order_at         TIMESTAMPTZ(6),
  order_attempts        INTEGER        NOT NULL DEFAULT 0,
  last_order_error      TEXT,
  ordered_at            TIMESTAMPTZ(6),
  estimated_delivery_at TIMESTAMPTZ(6),
  dispatched_at         TIMESTAMPTZ(6),
  delivered_at          TIMESTAMPTZ(6),
  failed_at             TIMESTAMPTZ(6),
  failure_code          TEXT,
  failure_reason        TEXT,
  correlation_id        TEXT           NOT NULL,
  causation_id          TEXT           NOT NULL,
  trace_parent          TEXT
);

-- One parcel per case: a repeated or second CertificateIssued finds the first shipment.
CREATE UNIQUE INDEX shipment_case_id_key ON shipment (case_id);
-- Webhooks find their shipment by tracking number.
CREATE UNIQUE INDEX shipment_carrier_tracking_number_key ON shipment (carrier, tracking_number);
-- The carrier order loop: pending orders by due time.
CREATE INDEX shipment_next_order_at_idx ON shipment (next_order_at);

CREATE TABLE tracking_event (
  shipment_id UUID           NOT NULL,
  sequence    INTEGER        NOT NULL,
  state       shipment_state NOT NULL,
  at          TIMESTAMPTZ(6) NOT NULL,
  location    TEXT           NOT NULL,
  description TEXT           NOT NULL,
  received_at TIMESTAMPTZ(6) NOT NULL,
  CONSTRAINT tracking_event_pkey PRIMARY KEY (shipment_id, sequence),
  CONSTRAINT tracking_event_shipment_id_fkey FOREIGN KEY (shipment_id)
    REFERENCES shipment (id) ON DELETE RESTRICT ON UPDATE CASCADE
);

-- Down Migration

DROP TABLE tracking_event;
DROP TABLE shipment;
DROP TYPE shipment_state;
