/** Shared types of the local provider emulators (APNs, FCM HTTP v1, HMS Push Kit). */

/** The push endpoints that take per-token behaviours. */
export type PushProvider = 'apns' | 'fcm' | 'hms';

/** Every recorded endpoint: the three push endpoints and the two OAuth token endpoints. */
export type RecordedProvider = PushProvider | 'fcm-token' | 'hms-token';

export const PUSH_PROVIDERS: readonly PushProvider[] = ['apns', 'fcm', 'hms'];
export const RECORDED_PROVIDERS: readonly RecordedProvider[] = [
  'apns',
  'fcm',
  'hms',
  'fcm-token',
  'hms-token',
];

/** Outcomes a behaviour can end in once `fail-times` and `hms-token-expired` counting is resolved. */
export type SimpleBehaviour =
  | { kind: 'success' }
  | { kind: 'unregistered' }
  | { kind: 'bad-token' }
  | { kind: 'credential-error' }
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  | { kind: 'unavailable'; retryAfterSeconds?: number }
  | { kind: 'slow'; delayMs: number };

export type SimpleBehaviourKind = SimpleBehaviour['kind'];

/** What a token prefix answers; see `ProviderEmulator.setBehaviour`. */
export type ProviderBehaviour =
  | SimpleBehaviour
  | {
      kind: 'fail-times';
      /** How many requests per device token fail before `then` applies. */
      times: number;
      /** The failure of the first `times` requests. Default `unavailable`. */
      with?: 'unavailable' | 'rate-limit';
      retryAfterSeconds?: number;
      /** What comes after the failures. Default `success`. */
      then?: SimpleBehaviourKind | SimpleBehaviour;
    }
  /** HMS only: the first `times` (default 1) sends to matching tokens answer 401 80200003. */
  | { kind: 'hms-token-expired'; times?: number };

/** A resolved behaviour for one device token in one request. */
export type ResolvedBehaviour = SimpleBehaviour | { kind: 'hms-token-expired' };

export type HeaderMap = Record<string, string | string[]>;

/** One request the emulator received on a provider endpoint. */
export interface RecordedRequest {
  provider: RecordedProvider;
  method: string;
  /** The request target as received, query included. */
  path: string;
  /** Lower-case keys; HTTP/2 pseudo-headers are left out. */
  headers: HeaderMap;
  /** Parsed JSON, the form fields of a token request, or the raw text when neither parses. */
  body: unknown;
  /** Epoch milliseconds. */
  receivedAt: number;
  httpVersion: '1.1' | '2.0';
  /** The HTTP status answered; 0 while the answer is pending (a `slow` behaviour) or was never sent. */
  outcome: number;
}

export interface EmulatorStartOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** How many requests the ring of records keeps (oldest dropped first). Default 200,000. */
  maxRecords?: number;
  /** Where to write the certificate PEM. Default: a new temporary directory, removed on stop. */
  caFile?: string;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS the server advertises. Default 1000 (what APNs grants). */
  maxConcurrentStreams?: number;
}

export interface EmulatorEndpoints {
  port: number;
  baseUrl: string;
  /** The self-signed certificate: trust it as a CA. */
  caPem: string;
  caFile: string;
  /** APNs base URL; requests go to /3/device/<token>. */
  apnsUrl: string;
  /** FCM base URL; requests go to /v1/projects/{projectId}/messages:send. */
  fcmUrl: string;
  /** The OAuth token URL for a Firebase service account's token_uri. */
  fcmTokenUrl: string;
  hmsTokenUrl: string;
  /** HMS base URL; requests go to /v2/{projectId}/messages:send. */
  hmsPushUrl: string;
}

export interface ApnsKeyRegistration {
  keyId: string;
  teamId: string;
  /** Either key; the public key is derived from a private one. */
  publicKeyPem?: string;
  privateKeyPem?: string;
}

export interface FcmServiceAccountRegistration {
  clientEmail: string;
  projectId: string;
  publicKeyPem?: string;
  privateKeyPem?: string;
}

export interface HmsClientRegistration {
  clientId: string;
  clientSecret: string;
}

export interface DemoCredentials {
  apns: { keyId: string; teamId: string; bundle: string; privateKeyPem: string };
  fcm: { projectId: string; clientEmail: string; privateKeyPem: string; serviceAccountJson: string };
  hms: { projectId: string; clientId: string; clientSecret: string };
}
