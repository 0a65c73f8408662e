import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { maskToken } from '../../common/logging/mask';
import { DeliveryOutcome, DeviceTarget, ProviderApp, PushNotification, PushProvider } from '../push-provider';
import { ConcurrencyLimiter } from '../../common/concurrency/concurrency-limiter';
import {
  credentialsFailure,
  notConfiguredOutcomes,
  payloadSizeProblem,
  retryableOutcome,
} from '../shared/delivery-outcomes';
import { trustedContext } from '../shared/trusted-cas';
import { FcmAccessTokenClient, FcmAccessTokenError } from './fcm-access-token.client';
import { FcmHttp2Pool } from './fcm-http2.pool';
import {
  buildFcmMessage,
  FCM_MAX_PAYLOAD_BYTES,
  FcmMessageContent,
  fcmPayloadBytes,
  fcmSendRequest,
} from './fcm-message.builder';
import { classifyFcmResponse } from './fcm-response.classifier';
import { FcmTransportOptions } from './fcm-transport.options';

interface AppClient {
  credentialsVersion: string;
  tokens: FcmAccessTokenClient;
}

/**
 * Firebase Cloud Messaging over the HTTP v1 API, with the project's own OAuth2 and HTTP/2 client instead of
 * firebase-admin (which hard-codes Google's hosts, so it takes no emulator, proxy or connection bound). One request
 * per device: the v1 API has no multicast. All apps share one HTTP/2 pool (one origin); access tokens are per app.
 */
@Injectable()
export class FcmProvider implements PushProvider {
  readonly platform = 'fcm' as const;
  readonly maxTargetsPerRequest = 1;
  private readonly logger = new Logger('FcmProvider');
  private readonly limiter: ConcurrencyLimiter;
  private readonly transport: FcmTransportOptions;
  private readonly apps = new Map<string, AppClient>();
  private pool?: FcmHttp2Pool;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { extraCaPem, requestTimeoutMs, fcm } = config.providers;
    this.transport = {
      secureContext: trustedContext(extraCaPem),
      proxyUrl: fcm.proxyUrl,
      timeoutMs: requestTimeoutMs,
    };
    this.limiter = new ConcurrencyLimiter(config.sending.concurrency.fcm);
  }

  checkPayload(notification: PushNotification): string | undefined {
    const content = buildFcmMessage(notification, {
      dataNotificationOnly: this.config.providers.fcm.dataNotificationOnly,
    });
    return payloadSizeProblem('FCM', fcmPayloadBytes(content), FCM_MAX_PAYLOAD_BYTES);
  }

  async send(
    app: ProviderApp,
    notification: PushNotification,
    targets: DeviceTarget[],
  ): Promise<DeliveryOutcome[]> {
    if (!app.fcm) return notConfiguredOutcomes('FCM', targets);
    const tokens = this.tokensFor(app);
    const content = buildFcmMessage(notification, {
      dataNotificationOnly: this.config.providers.fcm.dataNotificationOnly,
      now: new Date(),
    });
    const path = `/v1/projects/${encodeURIComponent(app.fcm.projectId)}/messages:send`;

    const outcomes = await Promise.all(
      targets.map((target) =>
        this.limiter
          .run(() => this.sendOne(tokens, path, content, target))
          .catch((error: Error): DeliveryOutcome => {
            // Not expected: sendOne turns every failure into an outcome. Still, never reject the batch.
            this.logger.error(`FCM send to ${maskToken(target.token)} failed unexpectedly: ${error.message}`);
            return { status: 'retryable', reason: 'FCM send failed unexpectedly' };
          }),
      ),
    );
    const credentialFailure = outcomes.find(
      (outcome) => outcome.status === 'failed' && outcome.credentialsFailing,
    );
    if (credentialFailure && credentialFailure.status === 'failed') {
      this.logger.warn(`FCM credentials of app ${app.appId} are failing: ${credentialFailure.reason}`);
    }
    return outcomes;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.apps.clear();
    await pool?.close();
  }

  private async sendOne(
    tokens: FcmAccessTokenClient,
    path: string,
    content: FcmMessageContent,
    target: DeviceTarget,
  ): Promise<DeliveryOutcome> {
    const body = JSON.stringify(fcmSendRequest(target.token, content));
    // A 401 may mean the cached access token was revoked or expired early: one more try with a fresh one.
    for (let attempt = 1; ; attempt++) {
      let accessToken: string;
      try {
        accessToken = await tokens.getToken();
      } catch (error) {
        return accessTokenFailure(error);
      }
      let response;
      try {
        response = await this.http2Pool().request({
          method: 'POST',
          path,
          headers: {
            authorization: `Bearer ${accessToken}`,
            'content-type': 'application/json; charset=UTF-8',
          },
          body,
        });
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'ERROR';
        return { status: 'retryable', reason: code === 'TIMEOUT' ? 'FCM request timed out' : `FCM ${code}` };
      }
      if (response.status === 401) {
        tokens.invalidate(accessToken);
        if (attempt < 2) continue;
      }
      const outcome = classifyFcmResponse(response, target.token);
      if (outcome.status !== 'delivered') {
        this.logger.debug(`FCM ${maskToken(target.token)}: ${outcome.status} (${outcome.reason})`);
      }
      return outcome;
    }
  }

  /** The app's access tokens; a new client when its credentials changed. */
  private tokensFor(app: ProviderApp): FcmAccessTokenClient {
    const cached = this.apps.get(app.appId);
    if (cached && cached.credentialsVersion === app.credentialsVersion) return cached.tokens;
    const tokens = new FcmAccessTokenClient(app.fcm!.serviceAccount, this.transport);
    this.apps.set(app.appId, { credentialsVersion: app.credentialsVersion, tokens });
    return tokens;
  }

  private http2Pool(): FcmHttp2Pool {
    this.pool ??= new FcmHttp2Pool({
      ...this.transport,
      baseUrl: this.config.providers.fcm.url,
      maxConnections: this.config.providers.fcm.maxConnections,
      maxStreamsPerConnection: this.config.providers.fcm.maxStreamsPerConnection,
    });
    return this.pool;
  }
}

function accessTokenFailure(error: unknown): DeliveryOutcome {
  if (error instanceof FcmAccessTokenError) {
    return error.credentials
      ? credentialsFailure(error.message)
      : retryableOutcome(error.message, error.retryAfterMs);
  }
  return { status: 'retryable', reason: 'FCM access token unavailable' };
}
