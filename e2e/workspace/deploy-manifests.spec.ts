// The deployment files cannot run here (no container engine), so this checks their structure
// against the services that exist: every service has a Deployment with probes on its real health
// endpoints, resources, configuration from ConfigMap/Secret, a Service, and a place in compose;
// every environment variable they set is one the service reads.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadRegion } from '@tongban/domain';

const repo = path.resolve(__dirname, '../..');
const base = path.join(repo, 'deploy/kubernetes/region');

interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number }[];
  env: {
    name: string;
    value?: string;
    valueFrom?: Record<string, { name: string; key: string }>;
  }[];
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec: {
    selector?: { matchLabels?: Record<string, string> } & Record<string, unknown>;
    ports?: { name: string; targetPort: string }[];
    template?: { spec: { containers: Container[]; terminationGracePeriodSeconds?: number } };
  };
}

function services(): string[] {
  return readdirSync(path.join(repo, 'services')).filter((dir) => {
    const project = path.join(repo, 'services', dir, 'project.json');
    if (!existsSync(project)) return false;
    const tags = (JSON.parse(readFileSync(project, 'utf8')) as { tags?: string[] }).tags ?? [];
    return (
      tags.includes('type:service') && existsSync(path.join(repo, 'services', dir, 'src/main.ts'))
    );
  });
}

function yamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map(
    (document) => document.toJS() as unknown,
  );
}

const kustomization = yamlDocuments(path.join(base, 'kustomization.yaml'))[0] as {
  resources: string[];
};
const manifests = kustomization.resources.flatMap(
  (resource) => yamlDocuments(path.join(base, resource)) as Manifest[],
);
const deployments = new Map(
  manifests
    .filter((m) => m.kind === 'Deployment')
    .map((m) => [m.metadata.name.replace(/^tongban-/, ''), m]),
);

/** Every identifier the service (and the shared kit) reads from its environment. */
function sourceText(service: string): string {
  const read = (dir: string): string =>
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
      .join('\n');
  return (
    read(path.join(repo, 'services', service, 'src')) +
    read(path.join(repo, 'libs/service-kit/src'))
  );
}

describe('Kubernetes manifests for one region', () => {
  it('list only files that exist', () => {
    for (const resource of kustomization.resources)
      expect(existsSync(path.join(base, resource))).toBe(true);
  });

  it('have a Deployment for every service, and no Deployment for a service that does not exist', () => {
    expect([...deployments.keys()].sort()).toEqual(services().sort());
  });

  for (const service of services()) {
    describe(service, () => {
      const deployment = () => deployments.get(service)!;
      const container = () => deployment().spec.template!.spec.containers[0]!;

      it('runs the service image without naming a registry', () => {
        expect(container().image).toMatch(new RegExp(`^tongban/${service}:[\\w.-]+$`));
      });

      it('probes liveness and readiness on the service’s health endpoints', () => {
        expect(container().livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
        expect(container().readinessProbe?.httpGet).toEqual({
          path: '/health/ready',
          port: 'http',
        });
        expect(container().ports.map((port) => port.name)).toEqual(
          expect.arrayContaining(['http', 'grpc']),
        );
      });

      it('declares resources and leaves time for a graceful stop', () => {
        expect(Object.keys(container().resources?.requests ?? {}).sort()).toEqual([
          'cpu',
          'memory',
        ]);
        expect(Object.keys(container().resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(
          deployment().spec.template!.spec.terminationGracePeriodSeconds,
        ).toBeGreaterThanOrEqual(30);
      });

      it('takes configuration from the region ConfigMap and secrets from Secrets', () => {
        const env = new Map(container().env.map((variable) => [variable.name, variable]));
        expect(env.get('REGION')?.valueFrom?.configMapKeyRef?.name).toBe('tongban-region');
        expect(env.get('KAFKA_BROKERS')?.valueFrom?.configMapKeyRef?.name).toBe('tongban-region');
        expect(env.get('DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({
          name: 'tongban-databases',
          key: service,
        });
      });

      it('sets only environment variables the service reads', () => {
        const source = sourceText(service);
        for (const variable of container().env)
          expect(source, variable.name).toContain(variable.name);
      });

      it('is reachable through a Service on the same named ports', () => {
        const exposed = manifests.find(
          (m) => m.kind === 'Service' && m.metadata.name === `tongban-${service}`,
        );
        expect(exposed?.spec.selector).toEqual(deployment().spec.selector?.matchLabels);
        const named = new Set(container().ports.map((port) => port.name));
        for (const port of exposed?.spec.ports ?? []) expect(named.has(port.targetPort)).toBe(true);
      });
    });
  }

  it('have an overlay per region whose region file is valid', () => {
    const overlay = yamlDocuments(
      path.join(repo, 'deploy/kubernetes/overlays/411700/kustomization.yaml'),
    )[0] as {
      configMapGenerator: { name: string; files?: string[]; literals?: string[] }[];
    };
    const file = overlay.configMapGenerator.find(
      (generator) => generator.name === 'tongban-region-file',
    )!.files![0]!;
    const regionFile = path.resolve(repo, 'deploy/kubernetes/overlays/411700', file.split('=')[1]!);
    expect(loadRegion(regionFile).code).toBe('411700');
    const literals = overlay.configMapGenerator.find(
      (generator) => generator.name === 'tongban-region',
    )!.literals!;
    expect(literals).toContain('REGION=411700');
  });
});

describe('compose file for a laptop', () => {
  const compose = yamlDocuments(path.join(repo, 'deploy/compose/docker-compose.yaml'))[0] as {
    services: Record<
      string,
      { environment?: Record<string, string>; build?: { args?: { SERVICE?: string } } }
    >;
  };
  const initSql = readFileSync(path.join(repo, 'deploy/compose/init-databases.sql'), 'utf8');

  it('runs Kafka, PostgreSQL, Zipkin and every service', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['kafka', 'postgres', 'zipkin', ...services()]),
    );
  });

  for (const service of services()) {
    it(`gives ${service} its own database and the region's settings`, () => {
      const entry = compose.services[service]!;
      expect(entry.build?.args?.SERVICE).toBe(service);
      const database = /\/([a-z_]+)$/.exec(entry.environment?.DATABASE_URL ?? '')?.[1];
      expect(initSql).toContain(`CREATE DATABASE ${database ?? '?'};`);
      expect(entry.environment?.REGION).toBe('411700');
      const source = sourceText(service);
      for (const variable of Object.keys(entry.environment ?? {}))
        expect(source, variable).toContain(variable);
    });
  }
});
