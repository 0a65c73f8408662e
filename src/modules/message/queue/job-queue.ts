/**
 * A queue of jobs run by one handler with bounded concurrency. The sending pipeline only sees this interface, so a
 * durable driver (Redis, for several nodes) can replace the in-process one without touching the senders.
 */
export interface JobQueue<T> {
  /** Adds jobs; they run in the order added, at most `concurrency` at a time. */
  add(jobs: T[]): void;
  /** Jobs waiting plus jobs running. */
  depth(): number;
  /**
   * Stops taking new jobs, waits up to `timeoutMs` for running jobs to finish, and hands back the jobs that never
   * started so the caller can release them.
   */
  drain(timeoutMs: number): Promise<T[]>;
}

export interface JobQueueDriver {
  create<T>(name: string, concurrency: number, handler: (job: T) => Promise<void>): JobQueue<T>;
}

export const JOB_QUEUE_DRIVER = Symbol('JOB_QUEUE_DRIVER');
