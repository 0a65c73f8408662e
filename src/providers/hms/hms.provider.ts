import { Inject, Injectable, Logger } from '@nestjs/common';
import * as http from 'node:http';
import * as https from 'node:https';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import {
  DeliveryOutcome,
  DeviceTarget,
  Platform,
  ProviderApp,
  PushNotification,
  PushProvider,
} from '../push-provider';
import { ConcurrencyLimiter } from '../../common/concurrency/concurrency-limiter';
import { notConfiguredOutcomes, payloadSizeProblem, retryableOutcome } from '../shared/delivery-outcomes';
import { postForJson } from '../shared/json-post';
import { ProxyTunnelError, ProxyTunnelHttpAgent, ProxyTunnelHttpsAgent } from '../shared/proxy-tunnel';
import { retryAfterMs } from '../shared/retry-after';
import { trustedContext } from '../shared/trusted-cas';
import {
  buildHmsMessage,
  HMS_MAX_MESSAGE_BYTES,
  HMS_MAX_TOKENS_PER_REQUEST,
  HmsMessage,
  hmsMessageBytes,
} from './hms-message.mapper';
import { classifyHmsSendAnswer, HmsHttpAnswer, safeProviderText } from './hms-response.classifier';

/** Used when the token endpoint does not say how long its token lives (Push Kit tokens live an hour). */
const DEFAULT_TOKEN_LIFETIME_MS = 3600_000;
/** A token is renewed this long before it expires, at most half its lifetime. */
const TOKEN_RENEWAL_MARGIN_MS = 300_000;

/** One app's Push Kit client: its credentials and its cached OAuth access token. */
interface HmsAppClient {
  credentialsVersion: string;
  appId: string;
  projectId: string;
  clientId: string;
  clientSecret: string;
  token?: { value: string; renewAt: number };
  /** The fetch in flight, shared by every caller that needs a token meanwhile. */
  pendingToken?: Promise<string>;
}

/** A token that could not be had: every target of the request gets this outcome. */
class HmsTokenError extends Error {
  constructor(readonly outcome: DeliveryOutcome) {
    super(outcome.status === 'delivered' ? 'delivered' : outcome.reason);
  }
}

/**
 * Huawei Push Kit (HMS) adapter: OAuth2 client-credentials tokens cached per app, `messages:send` with up to 1000
 * tokens per request, and the Push Kit result codes turned into delivery outcomes.
 */
@Injectable()
export class HmsProvider implements PushProvider {
  readonly platform: Platform = 'hms';
  readonly maxTargetsPerRequest = HMS_MAX_TOKENS_PER_REQUEST;
  private readonly logger = new Logger('HmsProvider');
  private readonly httpsAgent: http.Agent;
  private readonly httpAgent: http.Agent;
  private readonly agents: http.Agent[];
  private readonly clients = new Map<string, HmsAppClient>();
  private readonly limiter: ConcurrencyLimiter;
  private readonly tokenUrl: string;
  private readonly pushUrl: string;
  private readonly timeoutMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { extraCaPem, requestTimeoutMs, hms } = config.providers;
    this.tokenUrl = hms.tokenUrl;
    this.pushUrl = hms.pushUrl.replace(/\/+$/, '');
    this.timeoutMs = requestTimeoutMs;
    this.limiter = new ConcurrencyLimiter(config.sending.concurrency.hms);

    const secureContext = trustedContext(extraCaPem);
    const agentOptions = { keepAlive: true, maxSockets: config.sending.concurrency.hms, secureContext };
    const tunnel = hms.proxyUrl
      ? { proxyUrl: hms.proxyUrl, timeoutMs: requestTimeoutMs, secureContext }
      : undefined;
    const httpsAgent = tunnel
      ? new ProxyTunnelHttpsAgent(tunnel, agentOptions)
      : new https.Agent(agentOptions);
    const httpAgent = tunnel ? new ProxyTunnelHttpAgent(tunnel, agentOptions) : new http.Agent(agentOptions);
    this.agents = [httpsAgent, httpAgent];
    this.httpsAgent = httpsAgent;
    this.httpAgent = httpAgent;
  }

  checkPayload(notification: PushNotification): string | undefined {
    let bytes: number;
    try {
      bytes = hmsMessageBytes(buildHmsMessage(notification, []));
    } catch (error) {
      return `Push message cannot be serialized for HMS: ${(error as Error).message}`;
    }
    return payloadSizeProblem('HMS', bytes, HMS_MAX_MESSAGE_BYTES);
  }

  async send(
    app: ProviderApp,
    notification: PushNotification,
    targets: DeviceTarget[],
  ): Promise<DeliveryOutcome[]> {
    if (targets.length === 0) return [];
    if (!app.hms) return notConfiguredOutcomes('HMS', targets);
    const client = this.clientFor(app);
    const batches: DeviceTarget[][] = [];
    for (let i = 0; i < targets.length; i += HMS_MAX_TOKENS_PER_REQUEST) {
      batches.push(targets.slice(i, i + HMS_MAX_TOKENS_PER_REQUEST));
    }
    const results = await Promise.all(batches.map((batch) => this.sendBatch(client, notification, batch)));
    return results.flat();
  }

  async close(): Promise<void> {
    for (const agent of this.agents) agent.destroy();
    this.clients.clear();
  }

  /** One `messages:send` request; renews the access token and repeats once when Push Kit says it expired. */
  private async sendBatch(
    client: HmsAppClient,
    notification: PushNotification,
    targets: DeviceTarget[],
  ): Promise<DeliveryOutcome[]> {
    const tokens = targets.map((target) => target.token);
    let body: { validate_only: boolean; message: HmsMessage };
    try {
      body = { validate_only: false, message: buildHmsMessage(notification, tokens) };
    } catch (error) {
      // Extras that JSON cannot express (a BigInt, a cycle): no attempt will ever do better.
      const reason = `HMS message could not be built: ${(error as Error).message}`;
      return tokens.map(() => ({ status: 'failed', reason }));
    }
    const url = `${this.pushUrl}/v2/${encodeURIComponent(client.projectId)}/messages:send`;
    try {
      for (let attempt = 1; ; attempt++) {
        const accessToken = await this.accessToken(client);
        const answer = await this.limiter.run(() =>
          this.post(url, JSON.stringify(body), {
            'Content-Type': 'application/json; charset=UTF-8',
            Authorization: `Bearer ${accessToken}`,
          }),
        );
        const verdict = classifyHmsSendAnswer(answer, tokens);
        if (verdict.kind === 'outcomes') {
          this.logFailures(client, verdict.outcomes);
          return verdict.outcomes;
        }
        this.dropToken(client, accessToken);
        if (attempt === 1) continue;
        // A fresh token refused again: expired means Push Kit is confused (try later), unauthorized means the app is.
        const outcome: DeliveryOutcome = verdict.unauthorized
          ? { status: 'failed', reason: verdict.reason, credentialsFailing: true }
          : { status: 'retryable', reason: `${verdict.reason} (after renewing the access token)` };
        this.logFailures(client, [outcome]);
        return tokens.map(() => ({ ...outcome }));
      }
    } catch (error) {
      const outcome =
        error instanceof HmsTokenError ? error.outcome : this.networkOutcome('HMS send request', error);
      this.logFailures(client, [outcome]);
      return tokens.map(() => ({ ...outcome }));
    }
  }

  private clientFor(app: ProviderApp): HmsAppClient {
    const hms = app.hms!;
    const cached = this.clients.get(app.appId);
    if (cached && cached.credentialsVersion === app.credentialsVersion) return cached;
    const client: HmsAppClient = {
      credentialsVersion: app.credentialsVersion,
      appId: app.appId,
      projectId: hms.projectId,
      clientId: hms.clientId,
      clientSecret: hms.clientSecret,
    };
    this.clients.set(app.appId, client);
    return client;
  }

  private accessToken(client: HmsAppClient): Promise<string> {
    if (client.token && Date.now() < client.token.renewAt) return Promise.resolve(client.token.value);
    if (!client.pendingToken) {
      client.pendingToken = this.fetchToken(client).finally(() => (client.pendingToken = undefined));
    }
    return client.pendingToken;
  }

  /** Forgets a token Push Kit refused, unless another request already replaced it. */
  private dropToken(client: HmsAppClient, refused: string): void {
    if (client.token?.value === refused) client.token = undefined;
  }

  private async fetchToken(client: HmsAppClient): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }).toString();
    let answer: HmsHttpAnswer;
    try {
      answer = await this.post(this.tokenUrl, form, { 'Content-Type': 'application/x-www-form-urlencoded' });
    } catch (error) {
      throw new HmsTokenError(this.networkOutcome('HMS token request', error));
    }

    const body = (answer.data && typeof answer.data === 'object' ? answer.data : {}) as Record<
      string,
      unknown
    >;
    if (answer.status === 200 && typeof body.access_token === 'string' && body.access_token !== '') {
      const expiresIn = Number(body.expires_in);
      const lifetimeMs = expiresIn > 0 ? expiresIn * 1000 : DEFAULT_TOKEN_LIFETIME_MS;
      const renewAt = Date.now() + lifetimeMs - Math.min(TOKEN_RENEWAL_MARGIN_MS, lifetimeMs / 2);
      client.token = { value: body.access_token, renewAt };
      return body.access_token;
    }

    const detail = safeProviderText(
      body.error_description ?? body.error ?? body.sub_error,
      [],
      [client.clientSecret],
    );
    const reason = `HMS token request answered HTTP ${answer.status}${detail ? ` ${detail}` : ''}`;
    if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
      throw new HmsTokenError({ status: 'failed', reason, credentialsFailing: true });
    }
    if (answer.status === 429 || answer.status >= 500) {
      throw new HmsTokenError(retryableOutcome(reason, retryAfterMs(answer.headers['retry-after'])));
    }
    // A 200 carrying an OAuth error instead of a token is a rejection of the credentials too.
    const rejected = answer.status === 200 && body.error !== undefined;
    throw new HmsTokenError({
      status: 'failed',
      reason:
        answer.status === 200 && !rejected ? 'HMS token request answered without an access token' : reason,
      ...(rejected ? { credentialsFailing: true } : {}),
    });
  }

  private post(url: string, data: string, headers: Record<string, string>): Promise<HmsHttpAnswer> {
    return postForJson(url, data, headers, {
      httpsAgent: this.httpsAgent,
      httpAgent: this.httpAgent,
      timeoutMs: this.timeoutMs,
    });
  }

  /** Timeouts and connection failures: worth another attempt. The reason names the failure, never the request. */
  private networkOutcome(what: string, error: unknown): DeliveryOutcome {
    const code = (error as { code?: unknown })?.code;
    const name = (error as { name?: unknown })?.name;
    if (code === 'ETIMEDOUT' || code === 'ABORT_ERR' || name === 'TimeoutError' || name === 'AbortError') {
      return { status: 'retryable', reason: `${what} timed out after ${this.timeoutMs} ms` };
    }
    // A failed tunnel's message says it all; its code would only repeat it.
    const tunnelError = error instanceof ProxyTunnelError ? error : (error as { cause?: unknown })?.cause;
    if (tunnelError instanceof ProxyTunnelError) {
      return { status: 'retryable', reason: `${what} failed: ${tunnelError.message}` };
    }
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: 'retryable',
      reason: `${what} failed: ${typeof code === 'string' && !message.includes(code) ? `${code} ` : ''}${message}`,
    };
  }

  private logFailures(client: HmsAppClient, outcomes: DeliveryOutcome[]): void {
    const failure = outcomes.find((outcome) => outcome.status === 'failed' || outcome.status === 'retryable');
    if (failure?.status !== 'failed' && failure?.status !== 'retryable') return;
    if (failure.status === 'failed' && failure.credentialsFailing) {
      this.logger.warn(`HMS credentials of app ${client.appId} are failing: ${failure.reason}`);
    } else {
      this.logger.debug(`HMS send for app ${client.appId}: ${failure.status}, ${failure.reason}`);
    }
  }
}
