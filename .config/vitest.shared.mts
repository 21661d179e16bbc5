// Shared Vitest settings. Integration tests run against real Kafka, PostgreSQL and Zipkin,
// which the global setup of @tongban/testing provides (or reuses when `npm test` started them).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const workspaceRoot = fileURLToPath(new URL('..', import.meta.url));
const globalSetup = path.join(workspaceRoot, 'libs/testing/src/global-setup.ts');
// Each project writes a JSON report here; `npm test` sums them into one closing line.
const resultsFile = path.join(
  workspaceRoot,
  'dist/test-results',
  `${path.relative(workspaceRoot, process.cwd()).replaceAll(path.sep, '-') || 'workspace'}.json`,
);

export function projectTestConfig(options: { infrastructure: boolean }): ViteUserConfig {
  return defineConfig({
    resolve: { tsconfigPaths: true },
    test: {
      include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      globalSetup: options.infrastructure ? [globalSetup] : [],
      pool: 'forks',
      testTimeout: 60_000,
      hookTimeout: 180_000,
      teardownTimeout: 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: resultsFile },
    },
  });
}
