// The deployment files cannot run here (no container engine), so this checks their structure
// against the services that exist: every service has a Deployment with probes on its real health
// endpoints, resources, configuration from ConfigMap/Secret, a Service, and a place in compose;
// every environment variable they set is one the service reads. The five region services share
// one shape (gRPC, REGION); the console is the one service that is not a region service (HTTP
// only, the region services' addresses, a staff file) and has checks of its own.
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
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
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
    ports?: { name: string; port: number; targetPort: string }[];
    template?: {
      spec: {
        containers: Container[];
        terminationGracePeriodSeconds?: number;
        securityContext?: { runAsNonRoot?: boolean };
        volumes?: {
          name: string;
          configMap?: { name: string };
          secret?: { secretName: string; items?: { key: string; path: string }[] };
        }[];
      };
    };
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

/** The staff console: a service, but not a region service. */
const CONSOLE = 'console';

/** The region services: gRPC servers of one region, configured through libs/service-kit. */
function regionServices(): string[] {
  return services().filter((service) => service !== CONSOLE);
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

function readSources(dir: string): string {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

/** Every identifier the service (and the shared kit) reads from its environment. */
function sourceText(service: string): string {
  return (
    readSources(path.join(repo, 'services', service, 'src')) +
    readSources(path.join(repo, 'libs/service-kit/src'))
  );
}

/**
 * The console's source, plus the settings it shares with the services (`sharedSettings` of the
 * kit's service-config.ts); the rest of the region services' configuration is not its.
 */
function consoleSourceText(): string {
  return (
    readSources(path.join(repo, 'services', CONSOLE, 'src')) +
    readFileSync(path.join(repo, 'libs/service-kit/src/service-config.ts'), 'utf8')
  );
}

const overlay = yamlDocuments(
  path.join(repo, 'deploy/kubernetes/overlays/411700/kustomization.yaml'),
)[0] as {
  configMapGenerator: { name: string; files?: string[]; literals?: string[] }[];
};

/** A literal of the overlay's tongban-region ConfigMap. */
function regionLiteral(key: string): string | undefined {
  const literal = overlay.configMapGenerator
    .find((generator) => generator.name === 'tongban-region')
    ?.literals?.find((entry) => entry.startsWith(`${key}=`));
  return literal?.slice(key.length + 1);
}

describe('Kubernetes manifests for one region', () => {
  it('list only files that exist', () => {
    for (const resource of kustomization.resources)
      expect(existsSync(path.join(base, resource))).toBe(true);
  });

  it('have a Deployment for every service, and no Deployment for a service that does not exist', () => {
    expect([...deployments.keys()].sort()).toEqual(services().sort());
  });

  it('know every service as a region service built on the service kit, or as the console', () => {
    expect(services()).toContain(CONSOLE);
    for (const service of regionServices())
      expect(readSources(path.join(repo, 'services', service, 'src')), service).toContain(
        'loadServiceConfig(',
      );
    expect(readSources(path.join(repo, 'services', CONSOLE, 'src'))).not.toContain(
      'loadServiceConfig',
    );
  });

  for (const service of regionServices()) {
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

  describe(CONSOLE, () => {
    const deployment = () => deployments.get(CONSOLE)!;
    const container = () => deployment().spec.template!.spec.containers[0]!;
    const env = () => new Map(container().env.map((variable) => [variable.name, variable]));
    const volume = (mountPath: string) => {
      const mount = container().volumeMounts?.find((m) => m.mountPath === mountPath);
      return {
        mount,
        source: deployment().spec.template!.spec.volumes?.find((v) => v.name === mount?.name),
      };
    };

    it('runs the console image without naming a registry', () => {
      expect(container().image).toMatch(new RegExp(`^tongban/${CONSOLE}:[\\w.-]+$`));
    });

    it('serves HTTP only, probed on the console’s health endpoints', () => {
      expect(container().ports.map((port) => port.name)).toEqual(['http']);
      expect(container().livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container().readinessProbe?.httpGet).toEqual({
        path: '/health/ready',
        port: 'http',
      });
      const http = container().ports.find((port) => port.name === 'http')!;
      expect(env().get('HTTP_PORT')?.value).toBe(String(http.containerPort));
      expect(env().get('HOST')?.value).toBe('0.0.0.0');
    });

    it('declares resources and leaves time for a graceful stop', () => {
      expect(Object.keys(container().resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(container().resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(deployment().spec.template!.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
        30,
      );
    });

    it('runs as a non-root user on a read-only root file system', () => {
      expect(deployment().spec.template!.spec.securityContext?.runAsNonRoot).toBe(true);
      expect(container().securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
    });

    it('takes configuration from the region ConfigMap and secrets from Secrets', () => {
      for (const key of ['KAFKA_BROKERS', 'ZIPKIN_URL', 'CONSOLE_UPSTREAMS'])
        expect(env().get(key)?.valueFrom?.configMapKeyRef, key).toEqual({
          name: 'tongban-region',
          key,
        });
      expect(env().get('DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({
        name: 'tongban-databases',
        key: CONSOLE,
      });
      // Reached over HTTPS in a region: the session cookie must not travel in the clear.
      expect(env().get('CONSOLE_SECURE_COOKIE')?.value).toBe('true');
      // Not a region service: which regions it serves comes from CONSOLE_UPSTREAMS.
      expect(env().has('REGION')).toBe(false);
    });

    it('reads its staff file from a Secret, never from the image or a ConfigMap', () => {
      const file = env().get('CONSOLE_STAFF_FILE')?.value ?? '';
      const { mount, source } = volume(path.posix.dirname(file));
      expect(mount?.readOnly).toBe(true);
      expect(source?.secret?.secretName).toMatch(/^tongban-/);
      const items = source?.secret?.items;
      if (items) expect(items.map((item) => item.path)).toContain(path.posix.basename(file));
    });

    it('mounts the region files like the region services', () => {
      const { mount, source } = volume(env().get('REGIONS_DIR')?.value ?? '');
      expect(mount?.readOnly).toBe(true);
      expect(source?.configMap?.name).toBe('tongban-region-file');
    });

    it('sets only environment variables the console reads', () => {
      const source = consoleSourceText();
      for (const variable of container().env)
        expect(source, variable.name).toContain(variable.name);
    });

    it('is reachable through a Service on the same named ports', () => {
      const exposed = manifests.find(
        (m) => m.kind === 'Service' && m.metadata.name === `tongban-${CONSOLE}`,
      );
      expect(exposed?.spec.selector).toEqual(deployment().spec.selector?.matchLabels);
      expect(exposed?.spec.ports?.map((port) => port.targetPort)).toEqual(['http']);
    });

    it('is given, by the overlay, the Services and gRPC ports of every region service', () => {
      const upstreams = JSON.parse(regionLiteral('CONSOLE_UPSTREAMS') ?? '{}') as Record<
        string,
        Record<string, string>
      >;
      expect(Object.keys(upstreams)).toEqual([regionLiteral('REGION')]);
      const addresses = upstreams[regionLiteral('REGION')!]!;
      expect(Object.keys(addresses).sort()).toEqual(regionServices().sort());
      for (const service of regionServices()) {
        const exposed = manifests.find(
          (m) => m.kind === 'Service' && m.metadata.name === `tongban-${service}`,
        );
        const grpc = exposed?.spec.ports?.find((port) => port.name === 'grpc');
        expect(addresses[service], service).toBe(`tongban-${service}:${String(grpc?.port)}`);
      }
    });
  });

  it('have an overlay per region whose region file is valid', () => {
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
      {
        environment?: Record<string, string>;
        build?: { args?: { SERVICE?: string } };
        volumes?: string[];
      }
    >;
  };
  const initSql = readFileSync(path.join(repo, 'deploy/compose/init-databases.sql'), 'utf8');

  it('runs Kafka, PostgreSQL, Zipkin and every service', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['kafka', 'postgres', 'zipkin', ...services()]),
    );
  });

  const databaseOf = (service: string) =>
    /\/([a-z_]+)$/.exec(compose.services[service]?.environment?.DATABASE_URL ?? '')?.[1];

  for (const service of regionServices()) {
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

  it('gives the console its own database and the addresses of the region services', () => {
    const entry = compose.services[CONSOLE]!;
    expect(entry.build?.args?.SERVICE).toBe(CONSOLE);
    expect(initSql).toContain(`CREATE DATABASE ${databaseOf(CONSOLE) ?? '?'};`);
    expect(regionServices().map(databaseOf)).not.toContain(databaseOf(CONSOLE));
    expect(entry.environment?.REGION).toBeUndefined();
    expect(entry.environment?.KAFKA_BROKERS).toBe(
      compose.services[regionServices()[0]!]?.environment?.KAFKA_BROKERS,
    );
    const upstreams = JSON.parse(entry.environment?.CONSOLE_UPSTREAMS ?? '{}') as Record<
      string,
      Record<string, string>
    >;
    expect(Object.keys(upstreams)).toEqual(['411700']);
    expect(Object.keys(upstreams['411700']!).sort()).toEqual(regionServices().sort());
    for (const service of regionServices())
      expect(upstreams['411700']![service], service).toBe(
        `${service}:${compose.services[service]?.environment?.GRPC_PORT ?? '?'}`,
      );
    const staffFile = entry.environment?.CONSOLE_STAFF_FILE ?? '?';
    expect(entry.volumes?.some((volume) => volume.split(':')[1] === staffFile)).toBe(true);
    const source = consoleSourceText();
    for (const variable of Object.keys(entry.environment ?? {}))
      expect(source, variable).toContain(variable);
  });
});
