// Entry of a provider worker thread (PROVIDER_THREADS > 0): runs the real adapters, fed by WorkerPushProvider.
import { Logger, LogLevel } from '@nestjs/common';
import { parentPort, workerData } from 'node:worker_threads';
import type { AppConfig } from '../../common/config/app-config';
import { bindWithoutDeprecatedProperty } from '../../common/runtime/async-resource-bind';
import { ApnsProvider } from '../apns/apns.provider';
import { FcmProvider } from '../fcm/fcm.provider';
import { HmsProvider } from '../hms/hms.provider';
import { DeliveryOutcome, Platform, ProviderApp, PushProvider } from '../push-provider';
import { FromWorker, ProviderWorkerData, SendOp, ToWorker } from './provider-worker.protocol';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('provider-worker.thread must run as a worker thread');
  const data = workerData as ProviderWorkerData;
  bindWithoutDeprecatedProperty();
  Logger.overrideLogger(LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(data.logLevel) + 1));

  // The adapters read only these two sections of the configuration.
  const config = { providers: data.providers, sending: { concurrency: data.concurrency } } as AppConfig;
  const providers = new Map<Platform, PushProvider>(
    [new ApnsProvider(config), new FcmProvider(config), new HmsProvider(config)].map((p) => [p.platform, p]),
  );
  const apps = new Map<string, ProviderApp>();

  // Results are sent back in one message per event-loop turn.
  let results: [number, DeliveryOutcome[]][] = [];
  let flushScheduled = false;
  const reply = (id: number, outcomes: DeliveryOutcome[]) => {
    results.push([id, outcomes]);
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      const message: FromWorker = { op: 'results', results };
      results = [];
      port.postMessage(message);
    });
  };

  const send = (op: SendOp) => {
    const app = apps.get(op.appId);
    if (!app || app.credentialsVersion !== op.credentialsVersion) {
      // Not expected: the main thread sends credentials before their first use.
      reply(
        op.id,
        op.targets.map(() => ({
          status: 'retryable',
          reason: 'Provider worker has no credentials for the app',
        })),
      );
      return;
    }
    providers
      .get(op.platform)!
      .send(app, op.notification, op.targets)
      .then(
        (outcomes) => reply(op.id, outcomes),
        (error: Error) =>
          reply(
            op.id,
            op.targets.map(() => ({
              status: 'retryable',
              reason: `Unexpected provider error: ${error.message}`,
            })),
          ),
      );
  };

  port.on('message', (ops: ToWorker[]) => {
    for (const op of ops) {
      if (op.op === 'send') send(op);
      else if (op.op === 'app') apps.set(op.app.appId, op.app);
      else if (op.op === 'close') {
        void Promise.all([...providers.values()].map((provider) => provider.close())).finally(() => {
          const message: FromWorker = { op: 'closed' };
          port.postMessage(message);
        });
      }
    }
  });
}

main();
