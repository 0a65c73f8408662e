/**
 * The contract between the sending pipeline (src/modules/message) and one adapter per push platform. An adapter
 * turns a notification into its provider's request, sends it, and classifies each answer; the pipeline owns
 * persistence, retries, token clean-up and counting.
 */

export type Platform = 'apns' | 'fcm' | 'hms';

const PLATFORM_BY_STORED_NAME: Record<string, Platform> = {
  apns: 'apns',
  ios: 'apns',
  fcm: 'fcm',
  android: 'fcm',
  hms: 'hms',
  huawei: 'hms',
};

/** The platform of a `push_device_registration.platform` value (stored verbatim, legacy names included). */
export function platformOf(storedName: string): Platform | undefined {
  return PLATFORM_BY_STORED_NAME[storedName];
}

export type ApnsEnvironment = 'development' | 'production';

/** The API's PushMessageBody. */
export interface PushContent {
  title?: string;
  titleLocKey?: string;
  titleLocArgs?: string[];
  body?: string;
  bodyLocKey?: string;
  bodyLocArgs?: string[];
  badge?: number;
  sound?: string;
  icon?: string;
  category?: string;
  collapseKey?: string;
  /** Do not deliver after this instant. */
  validUntil?: Date;
  extras?: Record<string, unknown>;
}

export interface PushNotification {
  content: PushContent;
  /** No UI: APNs background push, FCM/HMS data message. */
  silent: boolean;
  priority: 'HIGH' | 'NORMAL';
}

export interface DeviceTarget {
  token: string;
  /** APNs only: the environment the pipeline resolved for this device (device, then app, then default). */
  apnsEnvironment?: ApnsEnvironment;
}

export interface ServiceAccount {
  client_email: string;
  private_key: string;
  token_uri: string;
  project_id?: string;
}

/** An app's decrypted credentials, as the adapters need them. */
export interface ProviderApp {
  appId: string;
  /** Changes whenever the credentials change (timestamp_last_updated): cached clients are rebuilt then. */
  credentialsVersion: string;
  apns?: { keyId: string; teamId: string; bundle: string; privateKeyPem: string };
  fcm?: { projectId: string; serviceAccount: ServiceAccount };
  hms?: { projectId: string; clientId: string; clientSecret: string };
}

/** What became of one device's notification. */
export type DeliveryOutcome =
  /** Accepted by the provider. */
  | { status: 'delivered'; providerMessageId?: string }
  /** The provider said this token is dead (unregistered, malformed, not for this app): remove the device. */
  | { status: 'invalid-token'; reason: string }
  /** Worth another attempt later: 429, 5xx, timeout, connection error, expired provider auth token. */
  | { status: 'retryable'; reason: string; retryAfterMs?: number }
  /**
   * Final failure. `credentialsFailing` marks an error about the app's own credentials or configuration (bad key,
   * wrong sender): the device is kept and the app is flagged.
   */
  | { status: 'failed'; reason: string; credentialsFailing?: boolean };

export interface PushProvider {
  readonly platform: Platform;

  /** Devices one request can reach with the same notification (HMS: a token list); 1 = one request per device. */
  readonly maxTargetsPerRequest: number;

  /** Why this notification can never be sent on this platform (e.g. payload over the size limit), or undefined. */
  checkPayload(notification: PushNotification): string | undefined;

  /**
   * Sends the notification to each target with the app's credentials for this platform. Resolves with one outcome
   * per target, in order; provider and network errors become outcomes, never rejections.
   */
  send(app: ProviderApp, notification: PushNotification, targets: DeviceTarget[]): Promise<DeliveryOutcome[]>;

  /** Closes cached clients and connections. */
  close(): Promise<void>;
}

/** Nest injection token of the PushProvider[] of all platforms. */
export const PUSH_PROVIDERS = Symbol('PUSH_PROVIDERS');
