// `prisma generate` without network access, for a service's Nx `generate` target:
//   tsx ../../libs/persistence/src/bin/prisma-generate.ts prisma/schema.prisma
import { prismaGenerate } from '../prisma-cli';

async function main(): Promise<void> {
  const schemas = process.argv.slice(2);
  if (schemas.length === 0) {
    throw new Error('usage: prisma-generate <schema.prisma>...');
  }
  for (const schema of schemas) {
    await prismaGenerate(schema);
    console.log(`generated the Prisma client of ${schema}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
