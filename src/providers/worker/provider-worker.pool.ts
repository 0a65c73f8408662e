import { Logger } from '@nestjs/common';
import { extname, join } from 'node:path';
import { setFlagsFromString as setV8Flags } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { afterCurrentTask } from '../../common/concurrency/after-current-task';
import type { AppConfig } from '../../common/config/app-config';
import type {
  DeliveryOutcome,
  DeviceTarget,
  Platform,
  ProviderApp,
  PushNotification,
} from '../push-provider';
import { FromWorker, ProviderWorkerData, SendOp, ToWorker } from './provider-worker.protocol';

/** A worker that dies sooner than this after its start is restarted after this pause, not at once. */
const RESTART_PAUSE_MS = 1000;
/** A provider thread's V8 semi-space, in MB (the main thread's is set on the command line). */
const PROVIDER_THREAD_SEMI_SPACE_MB = 8;
/** How long close() waits for sends in flight before it stops the workers anyway. */
const CLOSE_GRACE_MS = 10000;

interface PendingSend {
  targets: number;
  resolve: (outcomes: DeliveryOutcome[]) => void;
}

/**
 * The main thread's side of one provider worker thread: queues operations and posts them in one message per
 * task of the event loop, resolves sends from the batched results, and restarts the thread when it dies (its sends in
 * flight resolve as retryable, so the pipeline tries them again).
 */
class ProviderWorkerHandle {
  private worker?: Worker;
  private startedAt = 0;
  private outbox: ToWorker[] = [];
  private flushScheduled = false;
  private readonly pending = new Map<number, PendingSend>();
  /** Credentials version of each app this thread has been sent. */
  private readonly sentApps = new Map<string, string>();
  private nextId = 1;
  private restartTimer?: NodeJS.Timeout;
  private closing?: Promise<void>;
  private closed?: () => void;

  constructor(
    private readonly index: number,
    private readonly data: ProviderWorkerData,
    private readonly logger: Logger,
  ) {}

  get inFlight(): number {
    return this.pending.size;
  }

  send(
    platform: Platform,
    app: ProviderApp,
    notification: PushNotification,
    targets: DeviceTarget[],
  ): Promise<DeliveryOutcome[]> {
    if (this.closing) return Promise.resolve(retryable(targets.length, 'Provider worker is closing'));
    // Started on the first send, so a process that never sends (the CLI, most tests) starts no thread.
    if (!this.worker && !this.restartTimer) this.start();
    if (this.sentApps.get(app.appId) !== app.credentialsVersion) {
      this.sentApps.set(app.appId, app.credentialsVersion);
      this.post({ op: 'app', app });
    }
    const id = this.nextId++;
    const op: SendOp = {
      op: 'send',
      id,
      platform,
      appId: app.appId,
      credentialsVersion: app.credentialsVersion,
      notification,
      targets,
    };
    return new Promise((resolve) => {
      this.pending.set(id, { targets: targets.length, resolve });
      this.post(op);
    });
  }

  /** Waits (up to a grace period) for the sends in flight, closes the adapters' connections, stops the thread. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /** Stops the thread as a crash would (for tests): its sends in flight come back retryable. */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  private async shutDown(): Promise<void> {
    const deadline = Date.now() + CLOSE_GRACE_MS;
    while (this.pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (worker) {
      const closed = new Promise<void>((resolve) => (this.closed = resolve));
      this.post({ op: 'close' });
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
      await worker.terminate();
    }
    this.failPending('Provider worker closed');
  }

  private start(): void {
    const entry = join(__dirname, `provider-worker.thread${extname(__filename)}`);
    // From the TypeScript sources (tests, swc-register), the thread compiles its files the same way.
    const execArgv =
      extname(__filename) === '.ts'
        ? ['-r', join(__dirname, '..', '..', '..', 'scripts', 'swc-register.js')]
        : [];
    // The server runs with a large young generation for the main thread (--max-semi-space-size, see
    // docs/decisions.md), a process-wide V8 flag that every new thread would also take. A provider thread holds
    // little between its collections, so it gets a small one: a large one would add some 50 MB of resident memory.
    setV8Flags(`--max-semi-space-size=${PROVIDER_THREAD_SEMI_SPACE_MB}`);
    const worker = new Worker(entry, { workerData: this.data, execArgv, name: `providers-${this.index}` });
    this.worker = worker;
    this.restartTimer = undefined;
    this.startedAt = Date.now();
    worker.unref();
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) =>
      this.logger.error(`Provider worker ${this.index} failed: ${error.message}`),
    );
    worker.on('exit', (code) => this.exited(worker, code));
    if (this.outbox.length > 0) this.scheduleFlush();
  }

  private exited(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failPending(`Provider worker stopped (exit code ${code})`);
    if (this.closing) return;
    this.logger.warn(`Provider worker ${this.index} stopped (exit code ${code}); starting a new one`);
    // Operations queued for the dead thread: credentials are sent again as needed, sends were failed above.
    this.outbox = [];
    this.sentApps.clear();
    const pause = Date.now() - this.startedAt < RESTART_PAUSE_MS ? RESTART_PAUSE_MS : 0;
    this.restartTimer = setTimeout(() => this.start(), pause);
    this.restartTimer.unref();
  }

  private failPending(reason: string): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const send of pending) send.resolve(retryable(send.targets, reason));
  }

  private receive(message: FromWorker): void {
    if (message.op === 'closed') {
      this.closed?.();
      return;
    }
    for (const [id, outcomes] of message.results) {
      const send = this.pending.get(id);
      if (!send) continue;
      this.pending.delete(id);
      send.resolve(outcomes);
    }
  }

  private post(op: ToWorker): void {
    this.outbox.push(op);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // The sends of one group commit go in one message.
    afterCurrentTask(() => {
      this.flushScheduled = false;
      const worker = this.worker;
      if (!worker || this.outbox.length === 0) return;
      const ops = this.outbox;
      this.outbox = [];
      // One structured clone per task: a notification or target shared by several sends is copied once.
      worker.postMessage(ops);
    });
  }
}

function retryable(count: number, reason: string): DeliveryOutcome[] {
  return Array.from({ length: count }, () => ({ status: 'retryable', reason }) as DeliveryOutcome);
}

/** PROVIDER_THREADS worker threads running the adapters; each (platform, app) always goes to the same thread. */
export class ProviderWorkerPool {
  private readonly logger = new Logger('ProviderWorkerPool');
  private readonly workers: ProviderWorkerHandle[];
  private closing?: Promise<void>;

  constructor(config: AppConfig) {
    const data: ProviderWorkerData = {
      providers: config.providers,
      concurrency: config.sending.concurrency,
      logLevel: config.logLevel,
    };
    this.workers = Array.from(
      { length: config.providers.threads },
      (_, index) => new ProviderWorkerHandle(index, data, this.logger),
    );
  }

  send(
    platform: Platform,
    app: ProviderApp,
    notification: PushNotification,
    targets: DeviceTarget[],
  ): Promise<DeliveryOutcome[]> {
    return this.workerFor(platform, app.appId).send(platform, app, notification, targets);
  }

  close(): Promise<void> {
    this.closing ??= Promise.all(this.workers.map((worker) => worker.close())).then(() => undefined);
    return this.closing;
  }

  /** Stops every thread as a crash would (for tests); new ones start by themselves. */
  async killWorkers(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.kill()));
  }

  /** Sends in flight in the threads. */
  get inFlight(): number {
    return this.workers.reduce((sum, worker) => sum + worker.inFlight, 0);
  }

  private workerFor(platform: Platform, appId: string): ProviderWorkerHandle {
    if (this.workers.length === 1) return this.workers[0];
    const key = `${platform}:${appId}`;
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
    return this.workers[Math.abs(hash) % this.workers.length];
  }
}
