import type { SecureContext } from 'node:tls';
import { createSign } from 'node:crypto';
import { IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest, RequestOptions } from 'node:https';
import { ServiceAccount } from '../push-provider';
import { jsonObject } from '../shared/json-body';
import { connectTls, openProxyTunnel } from '../shared/proxy-tunnel';
import { retryAfterMs } from '../shared/retry-after';
import { FcmTransportOptions } from './fcm-transport.options';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** A token is renewed this long before Google says it expires. */
const EXPIRY_MARGIN_MS = 60_000;
const ASSERTION_LIFETIME_S = 3600;
const DEFAULT_EXPIRES_IN_S = 3600;
const FAILURE_MEMORY_MS = 2000;

/**
 * No access token. `credentials`: the service account itself is refused (invalid_grant, unknown client, bad key)
 * and asking again will not help; otherwise the failure is temporary. The message is short and safe for a reason.
 */
export class FcmAccessTokenError extends Error {
  constructor(
    message: string,
    readonly credentials: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

/**
 * OAuth2 access tokens for one service account (RFC 7523 JWT bearer grant, as Google's libraries do). A token is
 * reused until shortly before it expires; concurrent callers share one fetch.
 */
export class FcmAccessTokenClient {
  private cached?: CachedToken;
  private inFlight?: Promise<string>;
  private failure?: { error: FcmAccessTokenError; until: number };

  constructor(
    private readonly serviceAccount: ServiceAccount,
    private readonly transport: FcmTransportOptions,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async getToken(): Promise<string> {
    const now = this.now();
    if (this.cached && now < this.cached.refreshAt) return this.cached.value;
    // A failure is answered from memory for a moment: a batch of thousands would otherwise ask again per slot.
    if (this.failure && now < this.failure.until) throw this.failure.error;
    this.inFlight ??= this.fetchToken()
      .catch((error: unknown) => {
        if (error instanceof FcmAccessTokenError)
          this.failure = { error, until: this.now() + FAILURE_MEMORY_MS };
        throw error;
      })
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Forgets `token` if it is still the cached one (a 401 says it is no longer valid). */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const assertion = this.signAssertion();
    const form = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    });
    let response: { status: number; headers: IncomingHttpHeaders; body: string };
    try {
      response = await this.postForm(form.toString());
    } catch (error) {
      if (error instanceof FcmAccessTokenError) throw error;
      throw new FcmAccessTokenError(`FCM token endpoint unreachable: ${errorCode(error)}`, false);
    }
    const body = jsonObject(response.body) as
      { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;

    if (response.status === 200 && typeof body?.access_token === 'string' && body.access_token !== '') {
      const expiresIn =
        typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : undefined;
      const lifetimeMs = (expiresIn ?? DEFAULT_EXPIRES_IN_S) * 1000;
      // A short-lived token is still used for half its life rather than fetched for every request.
      const refreshAt = this.now() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2);
      this.cached = { value: body.access_token, refreshAt };
      this.failure = undefined;
      return body.access_token;
    }

    const oauthError = typeof body?.error === 'string' ? ` ${body.error.slice(0, 40)}` : '';
    const reason = `FCM token endpoint ${response.status}${oauthError}`;
    const temporary = response.status === 408 || response.status === 429 || response.status >= 500;
    if (temporary || response.status === 200) {
      throw new FcmAccessTokenError(reason, false, retryAfterMs(response.headers['retry-after']));
    }
    // 400 invalid_grant / 401 invalid_client and every other client error: the account or its key is refused.
    throw new FcmAccessTokenError(reason, true);
  }

  private signAssertion(): string {
    const { client_email: issuer, private_key: privateKey, token_uri: audience } = this.serviceAccount;
    const iat = Math.floor(this.now() / 1000);
    const header = base64Url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
    const claims = base64Url(
      JSON.stringify({ iss: issuer, scope: FCM_SCOPE, aud: audience, iat, exp: iat + ASSERTION_LIFETIME_S }),
    );
    try {
      const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(privateKey);
      return `${header}.${claims}.${base64Url(signature)}`;
    } catch {
      // Never the key itself in the message.
      throw new FcmAccessTokenError('FCM service account private key cannot sign', true);
    }
  }

  private async postForm(
    body: string,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    let url: URL;
    try {
      url = new URL(this.serviceAccount.token_uri);
    } catch {
      throw new FcmAccessTokenError('FCM service account token_uri is not a URL', true);
    }
    const secure = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (secure ? 443 : 80));
    const { proxyUrl, timeoutMs, secureContext } = this.transport;
    const tunnel = proxyUrl
      ? await openProxyTunnel({ proxyUrl, timeoutMs, secureContext }, host, port)
      : undefined;

    const options: RequestOptions & { secureContext?: SecureContext } = {
      method: 'POST',
      host,
      port,
      path: `${url.pathname}${url.search}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        accept: 'application/json',
      },
      secureContext,
      timeout: timeoutMs,
      ...(tunnel
        ? {
            createConnection: () =>
              secure ? connectTls({ host, port, socket: tunnel, secureContext }) : tunnel,
          }
        : { agent: false }),
    };
    return new Promise((resolve, reject) => {
      const request = (secure ? httpsRequest : httpRequest)(options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      request.on('error', reject);
      request.end(body);
    });
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? 'ERROR';
}

function base64Url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}
