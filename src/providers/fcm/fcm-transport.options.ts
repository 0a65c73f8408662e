import type { SecureContext } from 'node:tls';
/** How FCM connections are made: trusted CAs, an optional HTTP CONNECT proxy, a time limit. */
export interface FcmTransportOptions {
  /** Node's roots plus PROVIDER_CA_FILE (see trustedCas); undefined keeps Node's defaults. */
  secureContext?: SecureContext;
  /** http://[user:password@]host:port of an HTTP CONNECT proxy. */
  proxyUrl?: string;
  timeoutMs: number;
}
