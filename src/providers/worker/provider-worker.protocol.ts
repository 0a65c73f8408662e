import type { AppConfig, ProvidersConfig, SendingConfig } from '../../common/config/app-config';
import type {
  DeliveryOutcome,
  DeviceTarget,
  Platform,
  ProviderApp,
  PushNotification,
} from '../push-provider';

/** What a provider worker thread is started with: only what the adapters read of the configuration. */
export interface ProviderWorkerData {
  providers: ProvidersConfig;
  concurrency: SendingConfig['concurrency'];
  logLevel: AppConfig['logLevel'];
}

/** An app's credentials, sent once per worker and credentials version; later sends name the app and version. */
export interface CredentialsOp {
  op: 'app';
  app: ProviderApp;
}

export interface SendOp {
  op: 'send';
  id: number;
  platform: Platform;
  appId: string;
  credentialsVersion: string;
  notification: PushNotification;
  targets: DeviceTarget[];
}

/** Closes the adapters' connections; the worker answers `closed`. */
export interface CloseOp {
  op: 'close';
}

export type ToWorker = CredentialsOp | SendOp | CloseOp;

/** The outcomes of finished sends, one [send id, outcomes] pair each; or the answer to `close`. */
export type FromWorker = { op: 'results'; results: [number, DeliveryOutcome[]][] } | { op: 'closed' };
