import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { waitForBroker } from './wait-for-broker';
import { awaitReady, javaCommand, startJvm, workDirectory } from './jvm-process';
import { resolveMavenArtifacts } from './maven-artifacts';
import { freePorts } from './ports';

const run = promisify(execFile);

export interface KafkaOptions {
  /** Client (PLAINTEXT) port; a free ephemeral port by default. */
  port?: number;
  /** KRaft controller port; a free ephemeral port by default. */
  controllerPort?: number;
  /** Kept across runs when given; a fresh temporary directory, removed on stop, by default. */
  dataDir?: string;
  heapMb?: number;
  /** Used only when the data dir is formatted for the first time; random by default. */
  clusterId?: string;
}

export interface RunningKafka {
  brokers: string[];
  port: number;
  dataDir: string;
  logFile: string;
  stop(): Promise<void>;
}

const KAFKA_POM = resolve(__dirname, '..', 'kafka', 'pom.xml');
const STARTUP_TIMEOUT_MS = 120_000;
/** Controlled shutdown of a single node takes well under a second; past this it is killed. */
const STOP_TIMEOUT_MS = 30_000;

/**
 * Starts a single-node Apache Kafka (KRaft, broker and controller in one JVM) on 127.0.0.1 and
 * resolves once a client gets cluster metadata from it. The jars come from infra/kafka/pom.xml
 * via Maven (cached after the first run).
 */
export async function startKafka(options: KafkaOptions = {}): Promise<RunningKafka> {
  const { dir: libDir } = await resolveMavenArtifacts(KAFKA_POM);
  const [port, controllerPort] = await freePorts(options.port, options.controllerPort);
  const work = await workDirectory(options.dataDir, 'tongban-kafka-');
  const dataDir = work.dir;
  try {
    const logFile = join(dataDir, 'kafka.log');
    const logDir = join(dataDir, 'data');
    const propertiesFile = join(dataDir, 'server.properties');
    const log4jFile = join(dataDir, 'log4j2.properties');
    await writeFile(propertiesFile, serverProperties(port, controllerPort, logDir));
    await writeFile(log4jFile, LOG4J2_PROPERTIES);
    const classpath = ['-cp', join(libDir, '*'), `-Dlog4j2.configurationFile=${log4jFile}`];

    if (!existsSync(join(logDir, 'meta.properties'))) {
      const clusterId = options.clusterId ?? randomClusterId();
      // A short-lived tool: the C1 compiler and a small heap start it fastest.
      const tool = ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', ...classpath];
      const format = ['format', `--cluster-id=${clusterId}`, `--config=${propertiesFile}`];
      const { stdout, stderr } = await run(javaCommand(), [
        ...tool,
        'kafka.tools.StorageTool',
        ...format,
      ]);
      await appendFile(logFile, stdout + stderr);
    }

    const heapMb = options.heapMb ?? 512;
    const jvm = await startJvm({
      args: [
        `-Xms${heapMb}m`,
        `-Xmx${heapMb}m`,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        ...classpath,
        'kafka.Kafka',
        propertiesFile,
      ],
      dataDir,
      logFile,
      pidFile: join(dataDir, 'kafka.pid'),
      classArchive: join(libDir, 'kafka'),
    });
    const brokers = [`127.0.0.1:${port}`];
    await awaitReady(jvm, 'Kafka', (giveUp) => waitForBroker(brokers, STARTUP_TIMEOUT_MS, giveUp));

    const stop = async (): Promise<void> => {
      await jvm.stop(STOP_TIMEOUT_MS);
      await work.release();
    };
    return { brokers, port, dataDir, logFile, stop };
  } catch (error) {
    await work.release();
    throw error;
  }
}

/** A Kafka cluster id: 16 random bytes in URL-safe base64, like `kafka-storage random-uuid`. */
function randomClusterId(): string {
  const id = randomBytes(16).toString('base64url');
  // Kafka never hands out ids starting with '-' either: command lines would read them as options.
  return id.startsWith('-') ? randomClusterId() : id;
}

function serverProperties(port: number, controllerPort: number, logDir: string): string {
  return `# Written by @tongban/infra at every start; edits are lost.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${logDir}
# Topics are created by the services and tests themselves, with the partitions they need.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
# One node: every internal topic has one replica. Few offset partitions keep startup and the
# first consumer group join fast (50 is the default).
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Consumers in tests join one by one; the default 3 s wait for more members only slows them.
group.initial.rebalance.delay.ms=0
`;
}

/** WARN and above to stdout, which the launcher sends to the data dir's kafka.log. */
const LOG4J2_PROPERTIES = `rootLogger.level=WARN
rootLogger.appenderRef.stdout.ref=stdout
appender.stdout.type=Console
appender.stdout.name=stdout
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
`;
