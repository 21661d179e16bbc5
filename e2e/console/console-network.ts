// Three real regions (e2e/pipeline/region-network.ts) plus the console as its own process, serving
// the staff of all three, with a staff file of test accounts.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startConsoleProcess, type RunningConsole } from '@tongban/infra';
import { dropDatabase } from '@tongban/persistence';
import { testInfrastructure } from '@tongban/testing';
import { startRegionNetwork, type RegionNetwork } from '../pipeline/region-network';

export interface StaffAccount {
  username: string;
  name: string;
  region: string;
  role: 'CLERK' | 'REVIEWER' | 'APPROVER' | 'OPERATOR';
  password: string;
}

const password = () => randomBytes(12).toString('base64url');

export const STAFF = {
  clerk411700: { username: 'clerk.411700', name: '张敏', region: '411700', role: 'CLERK' },
  operator411700: { username: 'operator.411700', name: '赵磊', region: '411700', role: 'OPERATOR' },
  reviewer429005: { username: 'reviewer.429005', name: '陈晨', region: '429005', role: 'REVIEWER' },
  approver429005: { username: 'approver.429005', name: '杨帆', region: '429005', role: 'APPROVER' },
  operator429005: { username: 'operator.429005', name: '黄丽', region: '429005', role: 'OPERATOR' },
} as const;

export interface ConsoleNetwork {
  network: RegionNetwork;
  console: RunningConsole;
  staff: Record<keyof typeof STAFF, StaffAccount>;
  logs: string[];
  stop(): Promise<void>;
}

export async function startConsoleNetwork(): Promise<ConsoleNetwork> {
  const infrastructure = testInfrastructure();
  const network = await startRegionNetwork();
  const scratch = mkdtempSync(path.join(tmpdir(), 'tongban-console-e2e-'));
  const staff = Object.fromEntries(
    Object.entries(STAFF).map(([key, account]) => [key, { ...account, password: password() }]),
  ) as Record<keyof typeof STAFF, StaffAccount>;
  const staffFile = path.join(scratch, 'staff.yaml');
  writeFileSync(staffFile, stringify(Object.values(staff)));
  const databaseName = `tb_test_console_${String(process.pid)}_${randomBytes(3).toString('hex')}`;
  const logs: string[] = [];
  let running: RunningConsole;
  try {
    running = await startConsoleProcess({
      stack: network.stack,
      postgresAdminUrl: infrastructure.postgresAdminUrl,
      databaseName,
      staffFile,
      kafkaBrokers: infrastructure.kafkaBrokers,
      topicPrefix: network.topicPrefix,
      zipkinUrl: infrastructure.zipkinUrl,
      onLog: (line) => {
        logs.push(line);
      },
    });
  } catch (error) {
    await network.stop();
    throw error;
  }
  return {
    network,
    console: running,
    staff,
    logs,
    stop: async () => {
      await running.stop();
      await network.stop();
      await dropDatabase(infrastructure.postgresAdminUrl, databaseName);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
