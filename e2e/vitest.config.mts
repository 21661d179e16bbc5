import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../.config/vitest.shared.mts';

export default mergeConfig(
  projectTestConfig({ infrastructure: true }),
  defineConfig({
    test: {
      include: ['workspace/**/*.spec.ts', 'pipeline/**/*.spec.ts', 'handling/**/*.spec.ts'],
      // Whole regions start per file and cases cross regions: give them room.
      testTimeout: 180_000,
    },
  }),
);
