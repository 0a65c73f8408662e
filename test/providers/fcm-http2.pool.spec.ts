import { createServer, Http2Server, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import { AddressInfo, createServer as createTcpServer } from 'node:net';
import { FcmHttp2Pool, Http2PoolOptions, Http2TransportError } from '../../src/providers/fcm/fcm-http2.pool';
import { ConnectProxy } from '../support/connect-proxy';

/** A cleartext HTTP/2 server that answers every stream after `delayMs` and counts what it sees. */
class TestH2Server {
  inFlight = 0;
  maxInFlight = 0;
  sessions = new Set<ServerHttp2Session>();
  sessionCount = 0;
  delayMs = 0;
  /** Handles a stream itself when it returns true. */
  onStream?: (stream: ServerHttp2Stream) => boolean;
  private server?: Http2Server;

  async start(settings: { maxConcurrentStreams?: number } = {}): Promise<string> {
    const server = createServer({ settings });
    server.on('session', (session) => {
      this.sessionCount++;
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
    });
    server.on('stream', (stream, headers) => {
      if (this.onStream?.(stream)) return;
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      stream.resume();
      setTimeout(() => {
        this.inFlight--;
        if (stream.closed) return;
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end(JSON.stringify({ path: headers[':path'] }));
      }, this.delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('FcmHttp2Pool', () => {
  let server: TestH2Server;
  let pool: FcmHttp2Pool | undefined;

  const createPool = (baseUrl: string, options: Partial<Http2PoolOptions> = {}) => {
    pool = new FcmHttp2Pool({
      baseUrl,
      maxConnections: 1,
      maxStreamsPerConnection: 10,
      timeoutMs: 2000,
      ...options,
    });
    return pool;
  };
  const post = (p: FcmHttp2Pool, path = '/x') =>
    p.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: '{}' });

  beforeEach(() => {
    server = new TestH2Server();
  });
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    await server.stop();
  });

  it('keeps to maxConnections × maxStreamsPerConnection and queues the rest', async () => {
    server.delayMs = 20;
    const p = createPool(await server.start(), { maxConnections: 2, maxStreamsPerConnection: 3 });
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => post(p, `/r/${i}`)));
    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(JSON.parse(responses[29].body)).toEqual({ path: '/r/29' });
    expect(server.maxInFlight).toBeLessThanOrEqual(6);
    expect(server.maxInFlight).toBeGreaterThan(3);
    expect(server.sessionCount).toBe(2);
  });

  it("respects the server's SETTINGS_MAX_CONCURRENT_STREAMS", async () => {
    server.delayMs = 20;
    const p = createPool(await server.start({ maxConcurrentStreams: 2 }), { maxStreamsPerConnection: 50 });
    const responses = await Promise.all(Array.from({ length: 12 }, () => post(p)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(server.maxInFlight).toBe(2);
  });

  it('opens a new session when the old one goes away or closes', async () => {
    const p = createPool(await server.start());
    expect((await post(p)).status).toBe(200);
    for (const session of server.sessions) session.goaway();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await post(p)).status).toBe(200);
    for (const session of server.sessions) session.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await post(p)).status).toBe(200);
    expect(server.sessionCount).toBe(3);
  });

  it('times a request out and frees its slot', async () => {
    let hung = 0;
    server.onStream = () => hung++ === 0;
    const p = createPool(await server.start(), { timeoutMs: 200, maxStreamsPerConnection: 1 });
    const [first, second] = await Promise.allSettled([post(p), post(p)]);
    expect(first.status).toBe('rejected');
    expect((first as PromiseRejectedResult).reason).toBeInstanceOf(Http2TransportError);
    expect((first as PromiseRejectedResult).reason.code).toBe('TIMEOUT');
    expect(second).toMatchObject({ status: 'fulfilled', value: { status: 200 } });
  });

  it('fails queued requests with the connection error when nothing can connect', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const p = createPool(`http://127.0.0.1:${port}`);
    const results = await Promise.allSettled([post(p), post(p), post(p)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.code).toBe('ECONNREFUSED');
  });

  it('tunnels through an HTTP CONNECT proxy, with proxy credentials', async () => {
    const proxy = new ConnectProxy();
    proxy.requiredAuthorization = `Basic ${Buffer.from('user:p@ss').toString('base64')}`;
    const proxyUrl = (await proxy.start()).replace('http://', 'http://user:p%40ss@');
    try {
      const baseUrl = await server.start();
      const p = createPool(baseUrl, { proxyUrl });
      expect((await post(p)).status).toBe(200);
      expect(proxy.tunnels).toEqual([
        { target: baseUrl.replace('http://', ''), proxyAuthorization: proxy.requiredAuthorization },
      ]);
      await p.close();
    } finally {
      await proxy.stop();
    }
  });

  it('rejects requests after close', async () => {
    const p = createPool(await server.start());
    await post(p);
    await p.close();
    await expect(post(p)).rejects.toMatchObject({ code: 'CLOSED' });
    expect(p.sessionCount).toBe(0);
  });
});
