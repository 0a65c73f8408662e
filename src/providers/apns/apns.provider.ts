import type { SecureContext } from 'node:tls';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { maskToken } from '../../common/logging/mask';
import {
  ApnsEnvironment,
  DeliveryOutcome,
  DeviceTarget,
  ProviderApp,
  PushNotification,
  PushProvider,
} from '../push-provider';
import { ConcurrencyLimiter } from '../../common/concurrency/concurrency-limiter';
import { credentialsFailure, notConfiguredOutcomes, payloadSizeProblem } from '../shared/delivery-outcomes';
import { trustedContext } from '../shared/trusted-cas';
import { ApnsHttp2Client } from './apns-http2.client';
import { ApnsOutcomeClassifier } from './apns-outcome.classifier';
import { APNS_MAX_PAYLOAD_BYTES, ApnsPayloadBuilder, ApnsRequest } from './apns-payload.builder';
import { ApnsKeyError, ApnsTokenSigner } from './apns-token.signer';

interface CachedClient {
  credentialsVersion: string;
  client: ApnsHttp2Client;
}

/**
 * APNs adapter: token-based auth (.p8 key), one HTTP/2 client per (app, environment), rebuilt when the app's
 * credentials change, and at most SEND_CONCURRENCY_APNS requests in flight across all of them.
 */
@Injectable()
export class ApnsProvider implements PushProvider {
  readonly platform = 'apns' as const;
  readonly maxTargetsPerRequest = 1;

  private readonly logger = new Logger('ApnsProvider');
  private readonly payloads = new ApnsPayloadBuilder();
  private readonly classifier = new ApnsOutcomeClassifier();
  private readonly limiter: ConcurrencyLimiter;
  private readonly clients = new Map<string, CachedClient>();
  /** Node's roots plus PROVIDER_CA_FILE; undefined keeps Node's defaults. */
  private readonly secureContext?: SecureContext;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.limiter = new ConcurrencyLimiter(config.sending.concurrency.apns);
    this.secureContext = trustedContext(config.providers.extraCaPem);
  }

  checkPayload(notification: PushNotification): string | undefined {
    const size = Buffer.byteLength(JSON.stringify(this.payloads.payload(notification)), 'utf8');
    return payloadSizeProblem('APNs', size, APNS_MAX_PAYLOAD_BYTES);
  }

  async send(
    app: ProviderApp,
    notification: PushNotification,
    targets: DeviceTarget[],
  ): Promise<DeliveryOutcome[]> {
    const credentials = app.apns;
    if (!credentials) return notConfiguredOutcomes('APNs', targets);
    const request = this.payloads.build(credentials.bundle, notification);
    const clients = new Map<ApnsEnvironment, ApnsHttp2Client | DeliveryOutcome>();
    for (const environment of new Set(targets.map(environmentOf))) {
      clients.set(environment, this.clientFor(app, environment));
    }
    return Promise.all(
      targets.map((target) => {
        const client = clients.get(environmentOf(target));
        if (!(client instanceof ApnsHttp2Client)) return client as DeliveryOutcome;
        return this.limiter.run(() => this.sendOne(app, client, request, target));
      }),
    );
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map(({ client }) => client.close()));
  }

  private async sendOne(
    app: ProviderApp,
    client: ApnsHttp2Client,
    request: ApnsRequest,
    target: DeviceTarget,
  ): Promise<DeliveryOutcome> {
    // As the original: spaces, '<', '>' and anything else that is not hex are dropped.
    const token = target.token.replace(/[^0-9a-fA-F]/g, '');
    const outcome: DeliveryOutcome =
      token === ''
        ? { status: 'invalid-token', reason: 'APNs token has no hex digits' }
        : this.classifier.classify(await client.send(token, request));
    if (outcome.status !== 'delivered') {
      this.logger.debug(
        `APNs ${outcome.status} for app ${app.appId}, device ${maskToken(target.token)}: ${outcome.reason}`,
      );
    }
    return outcome;
  }

  /** The cached client of (app, environment), rebuilt when the credentials changed; an outcome if unusable. */
  private clientFor(app: ProviderApp, environment: ApnsEnvironment): ApnsHttp2Client | DeliveryOutcome {
    const key = `${app.appId}\u0000${environment}`;
    const cached = this.clients.get(key);
    if (cached?.credentialsVersion === app.credentialsVersion) return cached.client;
    if (cached) {
      // In-flight requests of the old client finish on their connection; new ones use the new key.
      this.clients.delete(key);
      void cached.client.close();
    }

    const apns = app.apns!;
    let signer: ApnsTokenSigner;
    try {
      signer = new ApnsTokenSigner(apns.privateKeyPem, apns.keyId, apns.teamId);
    } catch (error) {
      if (!(error instanceof ApnsKeyError)) throw error;
      this.logger.warn(`APNs key of app ${app.appId} is unusable: ${error.message}`);
      return credentialsFailure(error.message);
    }
    const { apns: urls, requestTimeoutMs } = this.config.providers;
    const client = new ApnsHttp2Client(
      {
        url: environment === 'development' ? urls.developmentUrl : urls.productionUrl,
        secureContext: this.secureContext,
        proxyUrl: urls.proxyUrl,
        requestTimeoutMs,
      },
      signer,
    );
    this.clients.set(key, { credentialsVersion: app.credentialsVersion, client });
    return client;
  }
}

function environmentOf(target: DeviceTarget): ApnsEnvironment {
  // The pipeline resolves the environment; production is the safe default when it did not.
  return target.apnsEnvironment ?? 'production';
}
