// Shared Vitest settings. Integration tests run against real Kafka, PostgreSQL and Zipkin,
// which the global setup of @tongban/testing provides (or reuses when `npm test` started them).
import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const globalSetup = fileURLToPath(new URL('../libs/testing/src/global-setup.ts', import.meta.url));

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
    },
  });
}
