import { defineConfig } from 'prisma/config';

// Migrations are plain SQL under prisma/migrations, applied by node-pg-migrate (see
// libs/persistence); Prisma only generates the client from the schema here.
export default defineConfig({ schema: 'prisma/schema.prisma' });
