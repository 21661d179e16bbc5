import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../.config/vitest.shared.mts';

export default mergeConfig(
  projectTestConfig({ infrastructure: true }),
  defineConfig({ test: { include: ['workspace/**/*.spec.ts', 'src/**/*.spec.ts'] } }),
);
