import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Telemetry } from '@tongban/telemetry';
import { loadServiceConfig, runServiceProcess, ServiceConfigError } from '../src';

function fakeTelemetry(): Telemetry & { shutdowns: number } {
  const telemetry = {
    shutdowns: 0,
    shutdown: () => {
      telemetry.shutdowns += 1;
      return Promise.resolve();
    },
  };
  return telemetry as unknown as Telemetry & { shutdowns: number };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('runServiceProcess when the start fails', () => {
  it('prints a configuration problem as its message, flushes telemetry and exits 1', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const telemetry = fakeTelemetry();
    const migrateDatabase = vi.fn(() => Promise.resolve());

    await runServiceProcess({
      telemetry,
      loadConfig: () => loadServiceConfig('probe', { HTTP_PORT: 0, GRPC_PORT: 0 }, undefined, {}),
      appModule: () => ({}),
      migrateDatabase,
    });

    expect(printed).toHaveBeenCalledTimes(1);
    const message: unknown = printed.mock.calls[0]?.[0];
    expect(typeof message).toBe('string');
    expect(message).toMatch(/DATABASE_URL/);
    expect(telemetry.shutdowns).toBe(1);
    expect(exit).toHaveBeenCalledWith(1);
    expect(migrateDatabase).not.toHaveBeenCalled();
  });

  it('names a missing region file without a stack, before migrating', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const migrateDatabase = vi.fn(() => Promise.resolve());

    await runServiceProcess({
      telemetry: fakeTelemetry(),
      loadConfig: () =>
        loadServiceConfig('probe', { HTTP_PORT: 0, GRPC_PORT: 0 }, undefined, {
          REGION: '411700',
          DATABASE_URL: 'postgres://127.0.0.1:1/none',
          KAFKA_BROKERS: '127.0.0.1:1',
          REGIONS_DIR: '/nonexistent/regions',
        }),
      appModule: () => ({}),
      migrateDatabase,
    });

    const message: unknown = printed.mock.calls[0]?.[0];
    expect(typeof message).toBe('string');
    expect(message).toMatch(/411700\.yaml/);
    expect(exit).toHaveBeenCalledWith(1);
    expect(migrateDatabase).not.toHaveBeenCalled();
  });

  it('prints any other failure whole, with its stack', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const failure = new Error('database unreachable');

    await runServiceProcess({
      telemetry: fakeTelemetry(),
      loadConfig: () => {
        throw failure;
      },
      appModule: () => ({}),
      migrationsDir: '/nonexistent',
    });

    expect(printed).toHaveBeenCalledWith(failure);
    expect(failure).not.toBeInstanceOf(ServiceConfigError);
  });
});
