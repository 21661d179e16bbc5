import { projectTestConfig } from '../../.config/vitest.shared.mts';

// Pure domain logic and region files on disk: no Kafka, PostgreSQL or Zipkin needed.
export default projectTestConfig({ infrastructure: false });
