import path from 'node:path';
import { z } from 'zod';

/**
 * Settings every process of a Tongban site reads the same way — the region's services and the
 * console alike.
 */
export const sharedSettings = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL of this process’s own database'),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'must be a comma-separated list of host:port'),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'may only contain letters, digits, ".", "_" and "-"')
    .default(''),
  ZIPKIN_URL: z.url('must be the Zipkin base URL, e.g. http://127.0.0.1:9411').optional(),
  HOST: z.string().default('127.0.0.1'),
  REGIONS_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
};

/** Settings every service of a region reads from its environment. */
const baseEnvironment = z.object({
  ...sharedSettings,
  REGION: z.string().regex(/^\d{6}$/, 'must be the 6-digit GB/T 2260 code of this region'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535),
  GRPC_PORT: z.coerce.number().int().min(0).max(65_535),
  TONGBAN_KEYS_DIR: z.string().optional(),
  // Shifts the service's clock by whole days, for drills and tests of what happens days later
  // (deadlines passing, certificates expiring) without waiting for them; e.g. "8" or "-3".
  CLOCK_OFFSET_DAYS: z.coerce.number().int().min(-3650).max(3650).default(0),
});

export type BaseServiceConfig = z.infer<typeof baseEnvironment> & {
  service: string;
  regionsDir: string;
  keysDir: string;
};

/** A configuration problem, worded so the operator can fix the deployment from the message. */
export class ServiceConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`Configuration of ${service} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ServiceConfigError';
  }
}

/** One line per problem, naming the variable, what was wrong, and whether it was missing. */
export function configProblems(error: z.ZodError, env: NodeJS.ProcessEnv): string[] {
  return error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const given = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
    return `${variable}: ${given === undefined ? 'missing; ' : ''}${issue.message}`;
  });
}

const workspaceRoot = path.resolve(__dirname, '../../..');

/**
 * Reads and validates the environment of one service, plus its own variables (`extra`). Fails
 * with every problem at once, each naming the variable and what it must be.
 */
export function loadServiceConfig<Extra extends z.ZodRawShape>(
  service: string,
  defaults: { HTTP_PORT: number; GRPC_PORT: number },
  extra?: Extra,
  env: NodeJS.ProcessEnv = process.env,
): BaseServiceConfig & z.infer<z.ZodObject<Extra>> {
  const schema = baseEnvironment.extend(extra ?? ({} as Extra));
  const parsed = schema.safeParse({
    HTTP_PORT: defaults.HTTP_PORT,
    GRPC_PORT: defaults.GRPC_PORT,
    ...env,
  });
  if (!parsed.success) throw new ServiceConfigError(service, configProblems(parsed.error, env));
  const values = parsed.data as z.infer<typeof baseEnvironment> & z.infer<z.ZodObject<Extra>>;
  return {
    ...values,
    service,
    regionsDir: values.REGIONS_DIR ?? path.join(workspaceRoot, 'deploy/regions'),
    keysDir: values.TONGBAN_KEYS_DIR ?? path.join(workspaceRoot, '.tongban/keys'),
  };
}
