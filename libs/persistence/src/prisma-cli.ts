import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Environment for running the Prisma CLI without network access. Every Prisma command first makes
 * sure the schema-engine binary is present and downloads it otherwise, although `generate` never
 * runs it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file satisfies that check. An
 * engine path set by the caller wins. Update checks and telemetry are switched off for the same
 * reason: they would wait on hosts this machine cannot reach.
 */
export function offlinePrismaEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    PRISMA_SCHEMA_ENGINE_BINARY:
      env.PRISMA_SCHEMA_ENGINE_BINARY ?? require.resolve('prisma/package.json'),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  };
}

/** Runs the workspace's Prisma CLI with the current Node and {@link offlinePrismaEnv}. */
export async function runPrismaCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ stdout: string; stderr: string }> {
  const cli = require.resolve('prisma/build/index.js');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { cwd: options.cwd, env: offlinePrismaEnv(options.env), maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const output = `${stderr}\n${stdout}`.trim();
          reject(new Error(`prisma ${args.join(' ')} failed:\n${output}`, { cause: error }));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

export interface PrismaGenerateOptions {
  /**
   * The service's `prisma.config.ts`. By default the one next to the `prisma/` folder holding the
   * schema (the service root) or next to the schema itself, if there is one.
   */
  configPath?: string;
  /** Only these generators of the schema (all by default). */
  generators?: readonly string[];
}

/**
 * `prisma generate` for one schema, offline. Where the client goes is the schema's business
 * (`output` of its generator block); services write it to `prisma/generated/`, which git ignores.
 */
export async function prismaGenerate(
  schemaPath: string,
  options: PrismaGenerateOptions = {},
): Promise<void> {
  const schema = path.resolve(schemaPath);
  const config = options.configPath ?? findPrismaConfig(schema);
  const args = ['generate', '--schema', schema];
  if (config !== undefined) args.push('--config', path.resolve(config));
  for (const generator of options.generators ?? []) args.push('--generator', generator);
  await runPrismaCli(args, {
    cwd: config === undefined ? path.dirname(schema) : path.dirname(path.resolve(config)),
  });
}

function findPrismaConfig(schemaPath: string): string | undefined {
  const schemaDir = path.dirname(schemaPath);
  return [path.dirname(schemaDir), schemaDir]
    .map((dir) => path.join(dir, 'prisma.config.ts'))
    .find((candidate) => existsSync(candidate));
}
