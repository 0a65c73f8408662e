import type { SecureContext } from 'node:tls';
import { ClientHttp2Session, ClientHttp2Stream, connect as http2Connect, constants } from 'node:http2';
import { Socket } from 'node:net';
import { connectTls, openProxyTunnel } from '../shared/proxy-tunnel';
import { ApnsRequest } from './apns-payload.builder';
import { ApnsTokenSigner } from './apns-token.signer';

export interface ApnsClientOptions {
  /** https://host[:port] of the APNs environment (or an emulator). */
  url: string;
  /** Trusted CAs, or undefined for Node's defaults. */
  secureContext?: SecureContext;
  /** http://[user:password@]host:port of an HTTP CONNECT proxy. */
  proxyUrl?: string;
  /** Time limit of one request, connecting included. */
  requestTimeoutMs: number;
  /** How often an open connection is checked with an HTTP/2 PING (the original's idlePingInterval). */
  pingIntervalMs?: number;
}

/** What came back for one device: an HTTP answer, or no answer at all. Never holds the token or the JWT. */
export type ApnsAnswer =
  | { kind: 'response'; status: number; reason?: string; apnsId?: string; retryAfter?: string }
  | { kind: 'transport-error'; reason: string };

/** APNs answers are a small JSON object; anything bigger is cut off rather than buffered. */
const MAX_RESPONSE_CHARS = 8 * 1024;
const DEFAULT_PING_INTERVAL_MS = 60_000;
/** After a failed connect, requests fail at once for this long instead of each waiting for its own attempt. */
const CONNECT_FAILURE_MEMORY_MS = 1000;

/**
 * One HTTP/2 connection to one APNs environment with one app's provider token (Apple ties a connection to the
 * token's team). Connects lazily, reconnects after GOAWAY or a lost connection, and never throws for network
 * problems: they come back as `transport-error` answers. No automatic retries: the pipeline owns them, except
 * the one resend after ExpiredProviderToken with a fresh token.
 */
export class ApnsHttp2Client {
  private session?: ClientHttp2Session;
  private connecting?: Promise<ClientHttp2Session>;
  private closed = false;
  private pingOutstanding = false;
  private connectFailure?: { message: string; until: number };
  private readonly pingTimer: NodeJS.Timeout;

  constructor(
    private readonly options: ApnsClientOptions,
    private readonly signer: ApnsTokenSigner,
  ) {
    this.pingTimer = setInterval(() => this.ping(), options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  /** Sends to one device; `token` must already be the bare hex token. */
  async send(token: string, request: ApnsRequest): Promise<ApnsAnswer> {
    const path = `/3/device/${token}`;
    const jwt = this.signer.token();
    const answer = await this.attempt(path, request, jwt);
    if (answer.kind === 'response' && answer.status === 403 && answer.reason === 'ExpiredProviderToken') {
      // Our token aged out under Apple's clock: renew it and try once more, as Pushy and node-apn do.
      this.signer.renew(jwt);
      return this.attempt(path, request, this.signer.token());
    }
    return answer;
  }

  /** Lets requests in flight finish, then closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pingTimer);
    const session = this.session ?? (await this.connecting?.catch(() => undefined));
    this.session = undefined;
    if (session && !session.closed && !session.destroyed) {
      await new Promise<void>((resolve) => session.close(() => resolve()));
    }
  }

  private attempt(path: string, request: ApnsRequest, jwt: string): Promise<ApnsAnswer> {
    const timeoutMs = this.options.requestTimeoutMs;
    return new Promise((resolve) => {
      let stream: ClientHttp2Stream | undefined;
      let settled = false;
      const finish = (answer: ApnsAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      };
      const timer = setTimeout(() => {
        stream?.close(constants.NGHTTP2_CANCEL);
        finish(transportError(`APNs request timed out after ${timeoutMs} ms`));
      }, timeoutMs);

      this.connectedSession().then(
        (session) => {
          if (settled) return;
          try {
            stream = session.request({
              ':method': 'POST',
              ':path': path,
              authorization: `bearer ${jwt}`,
              ...request.headers,
            });
          } catch (error) {
            finish(transportError(`APNs request could not start: ${errorCode(error)}`));
            return;
          }
          this.readAnswer(stream, finish);
          stream.end(request.body);
        },
        (error: Error) => finish(transportError(error.message)),
      );
    });
  }

  private readAnswer(stream: ClientHttp2Stream, finish: (answer: ApnsAnswer) => void): void {
    let status = 0;
    let apnsId: string | undefined;
    let retryAfter: string | undefined;
    let body = '';
    stream.setEncoding('utf8');
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
      apnsId = single(headers['apns-id']);
      retryAfter = single(headers['retry-after']);
    });
    stream.on('data', (chunk: string) => {
      if (body.length < MAX_RESPONSE_CHARS) body += chunk;
    });
    stream.on('end', () => {
      if (status === 0) finish(transportError('APNs stream ended without an answer'));
      else finish({ kind: 'response', status, reason: parseReason(body), apnsId, retryAfter });
    });
    stream.on('error', (error) => finish(transportError(`APNs stream failed: ${errorCode(error)}`)));
    // Reset or dropped with its connection before an answer.
    stream.on('close', () =>
      finish(transportError(`APNs stream closed (HTTP/2 code ${stream.rstCode ?? '?'})`)),
    );
  }

  private connectedSession(): Promise<ClientHttp2Session> {
    if (this.closed) return Promise.reject(new Error('APNs client is closed'));
    const session = this.session;
    if (session && !session.closed && !session.destroyed) return Promise.resolve(session);
    // APNs down or unreachable: the rest of a large send fails fast rather than waiting out one timeout per batch.
    if (this.connectFailure && Date.now() < this.connectFailure.until) {
      return Promise.reject(new Error(this.connectFailure.message));
    }
    this.connecting ??= this.connect()
      .catch((error: Error) => {
        this.connectFailure = { message: error.message, until: Date.now() + CONNECT_FAILURE_MEMORY_MS };
        throw error;
      })
      .finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<ClientHttp2Session> {
    const { url, secureContext, proxyUrl, requestTimeoutMs } = this.options;
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const port = Number(target.port) || 443;
    let socket: Socket | undefined;
    if (proxyUrl) {
      try {
        socket = await openProxyTunnel({ proxyUrl, timeoutMs: requestTimeoutMs, secureContext }, host, port);
      } catch (error) {
        // The tunnel's words follow the platform's name: "APNs proxy refused the tunnel: HTTP 407".
        throw new Error(`APNs ${(error as Error).message}`);
      }
    }
    const session = http2Connect(target.origin, {
      // Our own TLS socket, so the extra CAs also apply through a proxy tunnel.
      createConnection: () => connectTls({ host, port, socket, secureContext, alpn: ['h2'] }),
    });
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    session.on('error', forget);
    session.on('close', forget);
    session.on('goaway', forget);

    await new Promise<void>((resolve, reject) => {
      const fail = (message: string) => {
        clearTimeout(timer);
        session.destroy();
        reject(new Error(message));
      };
      const timer = setTimeout(
        () => fail(`APNs connection timed out after ${requestTimeoutMs} ms`),
        requestTimeoutMs,
      );
      const onError = (error: Error) => fail(`APNs connection failed: ${errorCode(error)}`);
      session.once('error', onError);
      session.once('connect', () => {
        clearTimeout(timer);
        session.off('error', onError);
        resolve();
      });
    });
    if (this.closed) {
      session.close();
      throw new Error('APNs client is closed');
    }
    this.session = session;
    this.pingOutstanding = false;
    return session;
  }

  // A connection that stops answering PINGs is dropped, so the next request reconnects instead of timing out.
  private ping(): void {
    const session = this.session;
    if (!session || session.closed || session.destroyed) return;
    if (this.pingOutstanding) {
      this.pingOutstanding = false;
      session.destroy();
      return;
    }
    this.pingOutstanding = true;
    session.ping((error) => {
      this.pingOutstanding = false;
      if (error && !session.destroyed) session.destroy();
    });
  }
}

function transportError(reason: string): ApnsAnswer {
  return { kind: 'transport-error', reason };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Apple's `{"reason": "BadDeviceToken"}`; only a plain word is kept, so nothing else can leak into a reason. */
function parseReason(body: string): string | undefined {
  if (body === '') return undefined;
  try {
    const reason = (JSON.parse(body) as { reason?: unknown } | null)?.reason;
    return typeof reason === 'string' && /^[A-Za-z]{1,64}$/.test(reason) ? reason : undefined;
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'error';
}
