import path from 'node:path';

/**
 * SQL migrations of the message log (`message_log`, `message_log_head` and the triggers that
 * keep them append-only), which the exchange service applies to its own database before its own.
 */
export const TRUST_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

/** The node-pg-migrate table that records which of them a database has. */
export const TRUST_MIGRATIONS_TABLE = 'pgmigrations_message_log';
