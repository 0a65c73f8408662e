import {
  ClientHttp2Session,
  ClientHttp2Stream,
  connect as http2Connect,
  constants,
  IncomingHttpHeaders,
} from 'node:http2';
import { connectTls, openProxyTunnel } from '../shared/proxy-tunnel';
import { FcmTransportOptions } from './fcm-transport.options';

export interface Http2PoolOptions extends FcmTransportOptions {
  /** Base URL (scheme, host, port) every request goes to. */
  baseUrl: string;
  maxConnections: number;
  maxStreamsPerConnection: number;
  /** Idle sessions are closed after this long; the next request opens a new one. */
  idleTimeoutMs?: number;
}

export interface Http2Request {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Http2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request that got no HTTP answer. `code` is short and safe for a delivery reason. */
export class Http2TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Provider answers are small; a larger one is cut off rather than buffered without end. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const CONNECT_RETRY_DELAY_MS = 1000;

interface PooledSession {
  session?: ClientHttp2Session;
  /** Usable for new streams: connected, SETTINGS received, not going away. */
  ready: boolean;
  active: number;
}

interface Waiter {
  resolve: (entry: PooledSession) => void;
  reject: (error: Error) => void;
}

/**
 * HTTP/2 requests to one origin over at most `maxConnections` sessions, each with at most
 * `maxStreamsPerConnection` streams (or fewer when the server's SETTINGS say so). Requests beyond that wait in a
 * queue: a burst of unbounded streams makes a server refuse them all. Sessions that close, fail or go away are
 * replaced on demand; a request's time limit starts when its stream is opened.
 */
export class FcmHttp2Pool {
  private readonly origin: URL;
  private sessions: PooledSession[] = [];
  private waiting: Waiter[] = [];
  private closed = false;
  private connectBlockedUntil = 0;

  constructor(private readonly options: Http2PoolOptions) {
    this.origin = new URL(options.baseUrl);
  }

  /** Sessions open or opening, for tests and metrics. */
  get sessionCount(): number {
    return this.sessions.length;
  }

  async request(request: Http2Request): Promise<Http2Response> {
    if (this.closed) throw new Http2TransportError('the HTTP/2 pool is closed', 'CLOSED');
    const entry = await this.acquire();
    try {
      return await this.exchange(entry.session!, request);
    } finally {
      entry.active--;
      this.pump();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const waiting = this.waiting;
    this.waiting = [];
    for (const waiter of waiting)
      waiter.reject(new Http2TransportError('the HTTP/2 pool is closed', 'CLOSED'));
    const sessions = this.sessions;
    this.sessions = [];
    await Promise.all(
      sessions.map(
        ({ session }) =>
          new Promise<void>((resolve) => {
            if (!session || session.destroyed) return resolve();
            session.once('close', () => resolve());
            // Streams still running get a moment; then the session is destroyed.
            session.close();
            setTimeout(() => session.destroy(), 1000).unref();
          }),
      ),
    );
  }

  private acquire(): Promise<PooledSession> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.pump();
    });
  }

  /** Hands free stream slots to waiting requests and opens sessions when the queue needs them. */
  private pump(): void {
    while (this.waiting.length > 0) {
      const entry = this.sessions.find(
        (candidate) => candidate.ready && candidate.active < this.streamLimit(candidate),
      );
      if (!entry) break;
      entry.active++;
      this.waiting.shift()!.resolve(entry);
    }
    if (this.closed || Date.now() < this.connectBlockedUntil) return;
    const connecting = this.sessions.filter((entry) => !entry.ready).length;
    let uncovered = this.waiting.length - connecting * this.options.maxStreamsPerConnection;
    while (uncovered > 0 && this.sessions.length < this.options.maxConnections) {
      this.open();
      uncovered -= this.options.maxStreamsPerConnection;
    }
  }

  private streamLimit(entry: PooledSession): number {
    const remote = entry.session?.remoteSettings.maxConcurrentStreams;
    return Math.min(this.options.maxStreamsPerConnection, remote ?? Infinity);
  }

  private open(): void {
    const entry: PooledSession = { ready: false, active: 0 };
    this.sessions.push(entry);
    this.connect(entry)
      .then((session) => {
        if (this.closed) {
          session.destroy();
          return;
        }
        entry.ready = true;
        this.pump();
      })
      .catch((error: Error) => {
        const index = this.sessions.indexOf(entry);
        if (index < 0) return; // closed meanwhile
        this.sessions.splice(index, 1);
        if (this.sessions.length === 0) {
          // Nothing can serve the queue: fail it rather than let every request try its own connection.
          const waiting = this.waiting;
          this.waiting = [];
          for (const waiter of waiting) waiter.reject(error);
        } else {
          // Other sessions serve the queue meanwhile; the next attempt waits a little.
          this.connectBlockedUntil = Date.now() + CONNECT_RETRY_DELAY_MS;
          setTimeout(() => this.pump(), CONNECT_RETRY_DELAY_MS).unref();
          this.pump();
        }
      });
  }

  private remove(entry: PooledSession): void {
    const index = this.sessions.indexOf(entry);
    if (index >= 0) {
      this.sessions.splice(index, 1);
      this.pump();
    }
  }

  /** A connected session whose first SETTINGS frame has arrived (so its stream limit is known). */
  private async connect(entry: PooledSession): Promise<ClientHttp2Session> {
    const { timeoutMs, proxyUrl, secureContext } = this.options;
    const host = this.origin.hostname.replace(/^\[|\]$/g, '');
    const secure = this.origin.protocol === 'https:';
    const port = Number(this.origin.port || (secure ? 443 : 80));
    const tunnel = proxyUrl
      ? await openProxyTunnel({ proxyUrl, timeoutMs, secureContext }, host, port)
      : undefined;

    const session = http2Connect(this.origin.origin, {
      secureContext,
      ...(tunnel
        ? {
            createConnection: () =>
              secure ? connectTls({ host, port, socket: tunnel, secureContext, alpn: ['h2'] }) : tunnel,
          }
        : {}),
    });
    entry.session = session;
    return new Promise((resolve, reject) => {
      const fail = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        session.destroy();
        const code = error.code ?? 'CONNECT_FAILED';
        reject(new Http2TransportError(`connection failed: ${code}`, code));
      };
      const onClose = () => fail(Object.assign(new Error('closed'), { code: 'CONNECTION_CLOSED' }));
      const timer = setTimeout(
        () => fail(Object.assign(new Error('timeout'), { code: 'CONNECT_TIMEOUT' })),
        timeoutMs,
      );
      session.on('error', fail);
      session.once('close', onClose);
      session.once('remoteSettings', () => {
        clearTimeout(timer);
        session.removeListener('error', fail);
        session.removeListener('close', onClose);
        // From now on a session that closes, fails or goes away only leaves the pool: its in-flight streams
        // finish or fail on their own, and new requests open a new session.
        const retire = () => {
          entry.ready = false;
          this.remove(entry);
        };
        session.on('close', retire);
        session.on('goaway', retire);
        session.on('error', retire);
        session.on('remoteSettings', () => this.pump());
        session.setTimeout(this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, () => {
          if (entry.active === 0) session.close();
        });
        resolve(session);
      });
    });
  }

  private exchange(session: ClientHttp2Session, request: Http2Request): Promise<Http2Response> {
    return new Promise((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = session.request({
          [constants.HTTP2_HEADER_METHOD]: request.method,
          [constants.HTTP2_HEADER_PATH]: request.path,
          ...request.headers,
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'STREAM_FAILED';
        reject(new Http2TransportError(`request failed: ${code}`, code));
        return;
      }
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const timer = setTimeout(() => {
        settle(new Http2TransportError('request timed out', 'TIMEOUT'));
        stream.close(constants.NGHTTP2_CANCEL);
      }, this.options.timeoutMs);
      const settle = (error?: Http2TransportError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else if (status === 0) reject(new Http2TransportError('no response headers', 'NO_RESPONSE'));
        else resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8') });
      };
      stream.on('response', (responseHeaders) => {
        status = Number(responseHeaders[constants.HTTP2_HEADER_STATUS]);
        headers = responseHeaders;
      });
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
      });
      stream.on('end', () => settle());
      stream.on('error', (error: NodeJS.ErrnoException) =>
        settle(
          new Http2TransportError(`stream failed: ${error.code ?? 'ERROR'}`, error.code ?? 'STREAM_FAILED'),
        ),
      );
      stream.on('close', () => {
        if (status > 0 && stream.rstCode === constants.NGHTTP2_NO_ERROR) settle();
        else settle(new Http2TransportError(`stream reset (${stream.rstCode})`, 'STREAM_RESET'));
      });
      stream.end(request.body);
    });
  }
}
