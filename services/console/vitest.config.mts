import { projectTestConfig } from '../../.config/vitest.shared.mts';

export default projectTestConfig({ infrastructure: true });
