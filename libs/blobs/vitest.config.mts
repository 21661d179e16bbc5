import { projectTestConfig } from '../../.config/vitest.shared.mts';

// A file system store in a temporary folder: no Kafka, PostgreSQL or Zipkin needed.
export default projectTestConfig({ infrastructure: false });
