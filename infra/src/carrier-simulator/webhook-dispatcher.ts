import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { CarrierState } from './route-plan';
import type { Random } from './seeded-random';

/** The JSON body of every webhook, one tracking event of one shipment. */
export interface WebhookEvent {
  trackingNumber: string;
  reference: string;
  state: CarrierState;
  /** ISO 8601 instant of the event. */
  at: string;
  location: string;
  description: string;
  /** 1, 2, 3… per shipment: the receiver orders and deduplicates by it. */
  sequence: number;
}

export interface WebhookDispatcherOptions {
  secret: string;
  /** One attempt fails when no response status arrived within this time. */
  timeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Probability that an acknowledged attempt is taken for a failure, so it is sent again. */
  errorRate: number;
  random: Random;
  log: (line: string) => void;
}

export const SIGNATURE_HEADER = 'X-Carrier-Signature';

interface Queue {
  url: URL;
  pending: WebhookEvent[];
  busy: boolean;
}

/**
 * Delivers tracking events to each shipment's callback URL, at least once and in order: event
 * n+1 of a shipment is not sent before event n was answered with a 2xx. A failed attempt (any
 * other status, a network error, a timeout) is retried with exponential backoff for as long as
 * the simulator runs, so a receiver that restarts misses nothing. Retries run in real time, not
 * at the simulation's speed: a receiver's outage takes as long as it takes.
 */
export class WebhookDispatcher {
  private readonly queues = new Map<string, Queue>();
  private readonly waits = new Set<() => void>();
  private readonly requests = new Set<AbortController>();
  // Own agents, so stop() can close the kept-alive sockets to receivers.
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  private stopped = false;

  constructor(private readonly options: WebhookDispatcherOptions) {}

  enqueue(callbackUrl: string, event: WebhookEvent): void {
    if (this.stopped) return;
    let queue = this.queues.get(event.trackingNumber);
    if (!queue) {
      queue = { url: new URL(callbackUrl), pending: [], busy: false };
      this.queues.set(event.trackingNumber, queue);
    }
    queue.pending.push(event);
    void this.drain(queue);
  }

  /** Cancels retries and attempts in flight; undelivered events are dropped. */
  stop(): void {
    this.stopped = true;
    for (const wake of this.waits) wake();
    for (const request of this.requests) request.abort(new Error('carrier simulator stopped'));
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async drain(queue: Queue): Promise<void> {
    if (queue.busy) return;
    queue.busy = true;
    let failures = 0;
    try {
      for (let event = queue.pending[0]; event && !this.stopped; event = queue.pending[0]) {
        const problem = await this.attempt(queue.url, event);
        if (this.isStopped()) return;
        if (problem === undefined) {
          queue.pending.shift();
          failures = 0;
          continue;
        }
        failures += 1;
        const delay = Math.min(
          this.options.retryMaxMs,
          this.options.retryInitialMs * 2 ** (failures - 1),
        );
        this.options.log(
          `webhook ${event.trackingNumber} #${event.sequence} to ${queue.url.origin} failed (${problem}); retry ${failures} in ${delay} ms`,
        );
        await this.wait(delay);
      }
    } finally {
      queue.busy = false;
    }
  }

  /** Undefined when the receiver acknowledged the event, else why the attempt failed. */
  private async attempt(url: URL, event: WebhookEvent): Promise<string | undefined> {
    const body = JSON.stringify(event);
    // Signed anew on every attempt, so a retry after a long outage is not refused as stale.
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', this.options.secret)
      .update(`${timestamp}.${body}`)
      .digest('hex');
    try {
      const status = await this.post(url, body, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(body)),
        // Header values are Latin-1: the carrier's Chinese name cannot go here.
        'user-agent': 'carrier-simulator/1 (Tongban; Tongda Express)',
        [SIGNATURE_HEADER]: `t=${timestamp},v1=${signature}`,
      });
      if (status < 200 || status > 299) return `status ${status}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    // Injected after a real acknowledgement: the receiver processed the event and will see it
    // again, as when an acknowledgement is lost on the way back.
    if (this.options.random() < this.options.errorRate) return 'injected failure';
    return undefined;
  }

  private post(url: URL, body: string, headers: http.OutgoingHttpHeaders): Promise<number> {
    const controller = new AbortController();
    this.requests.add(controller);
    const timer = setTimeout(() => {
      controller.abort(new Error(`no answer within ${this.options.timeoutMs} ms`));
    }, this.options.timeoutMs);
    const secure = url.protocol === 'https:';
    return new Promise<number>((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          headers,
          agent: secure ? this.httpsAgent : this.httpAgent,
          signal: controller.signal,
        },
        (response) => {
          // The status is the acknowledgement; the body is read only to free the socket.
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', (error) => {
        reject(controller.signal.aborted ? (controller.signal.reason as Error) : error);
      });
      request.end(body);
    }).finally(() => {
      clearTimeout(timer);
      this.requests.delete(controller);
    });
  }

  // A method, not the field: the compiler would take the field for unchanged across an await.
  private isStopped(): boolean {
    return this.stopped;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waits.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waits.add(wake);
    });
  }
}
