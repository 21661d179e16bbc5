import { EventConsumer, ensureTopics, type EventRoute } from '@tongban/kafka';
import type { ServiceContext } from './service-context';

/**
 * The service's one consumer group. Feature modules add the topics and event routes they handle
 * while the application is assembled; the consumer starts once everything is wired.
 */
export class ConsumerHost {
  private readonly topics = new Set<string>();
  private readonly routes: EventRoute[] = [];
  private consumer: EventConsumer | undefined;

  constructor(private readonly context: ServiceContext) {}

  /** Handles `routes` on `topics` (other services' event topics of this region). */
  subscribe(topics: string[], routes: EventRoute[]): void {
    if (this.consumer) throw new Error('subscribe() after the consumer started');
    for (const topic of topics) this.topics.add(topic);
    this.routes.push(...routes);
  }

  get subscribedTopics(): string[] {
    return [...this.topics];
  }

  /** Undefined while healthy; the error that stopped consuming otherwise. */
  get fatalError(): Error | undefined {
    return this.consumer?.fatalError;
  }

  async start(): Promise<void> {
    if (this.routes.length === 0) return;
    const { naming, service, producer, logger } = this.context;
    await ensureTopics(this.context.kafka, [...this.topics, naming.deadLetters(service)]);
    this.consumer = new EventConsumer(this.context.kafka, {
      groupId: naming.consumerGroup(service),
      topics: [...this.topics],
      routes: this.routes,
      deadLetterTopic: naming.deadLetters(service),
      producer,
      logger,
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}
