import path from 'node:path';
import { z } from 'zod';
import { configProblems, ServiceConfigError, sharedSettings } from '@tongban/service-kit';

const UPSTREAM_SERVICES = ['intake', 'review', 'certificate', 'logistics', 'exchange'] as const;
export type UpstreamService = (typeof UPSTREAM_SERVICES)[number];

const address = z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port');
const upstreamsSchema = z.record(
  z.string().regex(/^\d{6}$/, 'region codes are 6-digit GB/T 2260 codes'),
  z.object(
    Object.fromEntries(UPSTREAM_SERVICES.map((service) => [service, address])) as Record<
      UpstreamService,
      typeof address
    >,
  ),
);

const environment = z.object({
  ...sharedSettings,
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8700),
  // Which regions' staff this console serves, and where each region's services answer:
  // {"411700": {"intake": "host:port", "review": …, "certificate": …, "logistics": …, "exchange": …}}.
  // One region for a region's own console; several where one site hosts the consoles of several.
  CONSOLE_UPSTREAMS: z.string().transform((text, context) => {
    try {
      const parsed = upstreamsSchema.safeParse(JSON.parse(text));
      if (parsed.success && Object.keys(parsed.data).length > 0) return parsed.data;
      context.addIssue({
        code: 'custom',
        message: `must map region codes to the addresses of ${UPSTREAM_SERVICES.join(', ')}${
          parsed.success ? ' (no region given)' : `: ${parsed.error.issues[0]?.message ?? ''}`
        }`,
      });
    } catch {
      context.addIssue({ code: 'custom', message: 'must be JSON' });
    }
    return z.NEVER;
  }),
  // The staff accounts allowed to sign in (YAML list: username, name, region, role, and
  // passwordHash — or, for local development only, password).
  CONSOLE_STAFF_FILE: z.string().min(1),
  // ZIPKIN_URL (shared) is also where the dashboard links each case's trace.
  // The built web app (vite build); the default is where `nx run console:build-web` puts it.
  CONSOLE_WEB_DIR: z.string().optional(),
  // A window shift: a session idle this long signs out.
  CONSOLE_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(1_440).default(480),
  // Mark the cookie Secure; on wherever the console is reached over HTTPS.
  CONSOLE_SECURE_COOKIE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

export type ConsoleConfig = z.infer<typeof environment> & {
  regionsDir: string;
  webDir: string;
};

const serviceRoot = path.resolve(__dirname, '../..');

export function loadConsoleConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) throw new ServiceConfigError('console', configProblems(parsed.error, env));
  return {
    ...parsed.data,
    regionsDir: parsed.data.REGIONS_DIR ?? path.resolve(serviceRoot, '../../deploy/regions'),
    webDir: parsed.data.CONSOLE_WEB_DIR ?? path.join(serviceRoot, 'dist/web'),
  };
}
