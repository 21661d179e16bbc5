// Vitest global setup of every project with integration tests. Under `npm test` the
// infrastructure is already up (its addresses are in the environment) and is reused; a single
// project run (`npx vitest` in a lib) starts its own and stops it afterwards.
import { exportTestInfrastructure, readTestInfrastructure } from './test-infrastructure';
import { startTestStack } from './test-stack';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (readTestInfrastructure()) return undefined;
  const stack = await startTestStack();
  exportTestInfrastructure(stack);
  return () => stack.stop();
}
