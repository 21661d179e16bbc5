-- Up Migration

-- An operator can put a FAILED message back in the queue (ExchangeOperationsService.RetryDelivery).
-- Its retry budget then counts from the requeue, not from its creation, or the first failed
-- attempt after a long outage would give it up again at once. The later messages of its case,
-- which waited behind it without being tried, get a fresh budget at the same moment.
ALTER TABLE outbound_message ADD COLUMN retry_budget_from TIMESTAMPTZ(6) NOT NULL DEFAULT now();
UPDATE outbound_message SET retry_budget_from = created_at;
-- Who put the message back last, and when (each requeue is also an OUT entry of the message log).
ALTER TABLE outbound_message ADD COLUMN requeued_at TIMESTAMPTZ(6);
ALTER TABLE outbound_message ADD COLUMN requeued_by TEXT;

-- A message that goes back to PENDING wakes the delivery workers of every instance on commit, as
-- a new message does (outbound_message_notify, first migration).
CREATE TRIGGER outbound_message_requeued_notify AFTER UPDATE OF state ON outbound_message
  FOR EACH ROW WHEN (OLD.state <> 'PENDING' AND NEW.state = 'PENDING')
  EXECUTE FUNCTION outbound_message_notify();

-- Down Migration

DROP TRIGGER outbound_message_requeued_notify ON outbound_message;
ALTER TABLE outbound_message DROP COLUMN requeued_by;
ALTER TABLE outbound_message DROP COLUMN requeued_at;
ALTER TABLE outbound_message DROP COLUMN retry_budget_from;
