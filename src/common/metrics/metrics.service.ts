import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of this app instance (its own registry, so several instances in one process do not clash). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly sends = new Counter({
    name: 'push_sends_total',
    help: 'Provider send attempts by platform and outcome (delivered, invalid-token, retryable, failed)',
    labelNames: ['platform', 'outcome'],
    registers: [this.registry],
  });

  readonly retries = new Counter({
    name: 'push_retries_total',
    help: 'Sends scheduled for another attempt, by platform',
    labelNames: ['platform'],
    registers: [this.registry],
  });

  readonly sendDuration = new Histogram({
    name: 'push_send_duration_seconds',
    help: 'Duration of one provider send, by platform',
    labelNames: ['platform'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private queueDepthSource?: () => Record<string, number>;

  readonly queueDepth = new Gauge({
    name: 'push_queue_depth',
    help: 'Device sends waiting or running, by platform',
    labelNames: ['platform'],
    registers: [this.registry],
    collect: () => {
      for (const [platform, depth] of Object.entries(this.queueDepthSource?.() ?? {})) {
        this.queueDepth.set({ platform }, depth);
      }
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The queue depth is read when metrics are scraped, from whoever owns the queues. */
  setQueueDepthSource(source: () => Record<string, number>): void {
    this.queueDepthSource = source;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
