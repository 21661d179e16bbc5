import path from 'node:path';

/**
 * SQL migrations of the outbox and inbox tables, which every publishing or consuming service
 * applies to its own database (in their own migrations table) before the service's own ones.
 */
export const KAFKA_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

/** The node-pg-migrate table that records which of them a database has. */
export const KAFKA_MIGRATIONS_TABLE = 'pgmigrations_outbox_inbox';
