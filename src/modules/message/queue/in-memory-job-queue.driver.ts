import { Logger } from '@nestjs/common';
import fastq from 'fastq';
import type { queueAsPromised } from 'fastq';
import { JobQueue, JobQueueDriver } from './job-queue';

/** In-process queues (fastq). Jobs live in memory; the push_message rows are what survives a crash. */
export class InMemoryJobQueueDriver implements JobQueueDriver {
  create<T>(name: string, concurrency: number, handler: (job: T) => Promise<void>): JobQueue<T> {
    return new InMemoryJobQueue(name, concurrency, handler);
  }
}

class InMemoryJobQueue<T> implements JobQueue<T> {
  private readonly logger: Logger;
  private readonly queue: queueAsPromised<T>;
  private running = 0;
  private accepting = true;

  constructor(name: string, concurrency: number, handler: (job: T) => Promise<void>) {
    this.logger = new Logger(`JobQueue:${name}`);
    this.queue = fastq.promise(async (job: T) => {
      this.running++;
      try {
        await handler(job);
      } catch (error) {
        // The handler owns outcomes; reaching here is a bug, and the row stays PENDING for recovery.
        this.logger.error(`Job failed unexpectedly: ${(error as Error).message}`, (error as Error).stack);
      } finally {
        this.running--;
      }
    }, concurrency);
  }

  add(jobs: T[]): void {
    if (!this.accepting) return;
    for (const job of jobs) void this.queue.push(job);
  }

  depth(): number {
    return this.queue.length() + this.running;
  }

  async drain(timeoutMs: number): Promise<T[]> {
    this.accepting = false;
    const waiting = this.queue.getQueue();
    this.queue.kill();
    const deadline = Date.now() + timeoutMs;
    while (this.running > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return waiting;
  }
}
