/**
 * Kafka names of one region (ARCHITECTURE §5): topics `<region>.<service>.events.v1`, consumer
 * groups `<region>.<service>`, dead-letter topics `<region>.<service>.dlq.v1`.
 *
 * The optional prefix lets one broker host isolated namespaces (a test run, a second dev stack)
 * without any code depending on it.
 */
export class TopicNaming {
  constructor(
    readonly region: string,
    readonly prefix = '',
  ) {
    if (!/^\d{6}$/.test(region)) {
      throw new Error(`Region code must be a 6-digit GB/T 2260 code, got "${region}"`);
    }
    if (!/^[a-zA-Z0-9._-]*$/.test(prefix)) {
      throw new Error(
        `Topic prefix may only contain letters, digits, ".", "_" and "-": "${prefix}"`,
      );
    }
  }

  /** The topic a service publishes its events to. */
  events(service: string): string {
    return `${this.prefix}${this.region}.${service}.events.v1`;
  }

  /** Where a service's consumer parks messages it could not process, with the error. */
  deadLetters(service: string): string {
    return `${this.prefix}${this.region}.${service}.dlq.v1`;
  }

  consumerGroup(service: string): string {
    return `${this.prefix}${this.region}.${service}`;
  }
}
