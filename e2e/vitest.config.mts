import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../.config/vitest.shared.mts';

export default mergeConfig(
  projectTestConfig({ infrastructure: true }),
  defineConfig({
    test: {
      include: [
        'workspace/**/*.spec.ts',
        'pipeline/**/*.spec.ts',
        'handling/**/*.spec.ts',
        'console/**/*.spec.ts',
      ],
      // Whole regions start per file and cases cross regions: give them room.
      testTimeout: 180_000,
      // A page and the cases behind it catch up within seconds, not within vitest's default 1 s.
      expect: { poll: { timeout: 30_000, interval: 200 } },
    },
  }),
);
