import { createSecureContext } from 'node:tls';
import { createServer as createHttpServer, get as httpGet, IncomingMessage, Server } from 'node:http';
import { createServer as createHttpsServer, get as httpsGet } from 'node:https';
import { AddressInfo, connect, createServer as createTcpServer, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { generate } from 'selfsigned';
import {
  connectTls,
  openProxyTunnel,
  ProxyTunnelError,
  ProxyTunnelHttpAgent,
  ProxyTunnelHttpsAgent,
} from '../../src/providers/shared/proxy-tunnel';
import { ConnectProxy } from '../support/connect-proxy';

/** A raw TCP "proxy" that hands each CONNECT request to `answer` as text. */
async function scriptedProxy(answer: (request: string, socket: Socket) => void): Promise<{
  url: string;
  requests: string[];
  close: () => Promise<void>;
}> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (!text.includes('\r\n\r\n')) return;
      requests.push(text);
      answer(text, socket);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function certificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'proxy-tunnel-test' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

function listen(server: Server | ReturnType<typeof createTlsServer>): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function close(server: { close: (callback: () => void) => unknown }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function firstData(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())));
}

describe('openProxyTunnel', () => {
  it('sends CONNECT with the target authority and Basic credentials from the URL', async () => {
    const proxy = await scriptedProxy((_request, socket) =>
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n'),
    );
    try {
      const socket = await openProxyTunnel(
        { proxyUrl: proxy.url.replace('http://', 'http://proxy%20user:p%40ss@'), timeoutMs: 2000 },
        '::1',
        8443,
      );
      socket.destroy();
      const [requestLine, ...headerLines] = proxy.requests[0].split('\r\n').filter((line) => line !== '');
      const headers = Object.fromEntries(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 2),
        ]),
      );
      expect(requestLine).toBe('CONNECT [::1]:8443 HTTP/1.1');
      expect(headers.host).toBe('[::1]:8443');
      // Percent-escapes in the URL are decoded before encoding.
      expect(headers['proxy-authorization']).toBe(
        `Basic ${Buffer.from('proxy user:p@ss').toString('base64')}`,
      );
    } finally {
      await proxy.close();
    }
  });

  it('puts back bytes that arrive together with the proxy answer', async () => {
    const proxy = await scriptedProxy((_request, socket) =>
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\nserver speaks first'),
    );
    try {
      const socket = await openProxyTunnel({ proxyUrl: proxy.url, timeoutMs: 2000 }, 'example.test', 25);
      expect(await firstData(socket)).toBe('server speaks first');
      socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  it('fails with a refusal, a timeout or a connection error, in words that name no proxy', async () => {
    const refusing = await scriptedProxy((_request, socket) =>
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n'),
    );
    const silent = await scriptedProxy(() => undefined);
    const closedPort = await new Promise<number>((resolve) => {
      const server = createTcpServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    try {
      await expect(
        openProxyTunnel({ proxyUrl: refusing.url, timeoutMs: 2000 }, 'example.test', 443),
      ).rejects.toEqual(new ProxyTunnelError('proxy refused the tunnel: HTTP 407', 'PROXY_REFUSED'));
      await expect(
        openProxyTunnel({ proxyUrl: silent.url, timeoutMs: 100 }, 'example.test', 443),
      ).rejects.toMatchObject({
        message: 'proxy did not open a tunnel within 100 ms',
        code: 'PROXY_TIMEOUT',
      });
      const failed = openProxyTunnel(
        { proxyUrl: `http://user:secret@127.0.0.1:${closedPort}`, timeoutMs: 2000 },
        'example.test',
        443,
      );
      await expect(failed).rejects.toMatchObject({
        message: 'proxy connection failed: ECONNREFUSED',
        code: 'PROXY_FAILED',
      });
      await expect(failed).rejects.toBeInstanceOf(ProxyTunnelError);
    } finally {
      await Promise.all([refusing.close(), silent.close()]);
    }
  });

  it('reaches an https:// proxy over TLS, trusting the given CAs', async () => {
    const { key, cert } = await certificate();
    const target = createTcpServer((socket) => socket.end('hello from the target'));
    const targetPort = await listen(target as unknown as Server);
    const proxy = createHttpsServer({ key, cert });
    proxy.on('connect', (request: IncomingMessage, client: Socket) => {
      const upstream = connect(targetPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    });
    const proxyPort = await listen(proxy);
    try {
      const socket = await openProxyTunnel(
        {
          proxyUrl: `https://localhost:${proxyPort}`,
          timeoutMs: 2000,
          secureContext: createSecureContext({ ca: cert }),
        },
        '127.0.0.1',
        targetPort,
      );
      expect(await firstData(socket)).toBe('hello from the target');
      socket.destroy();
    } finally {
      await Promise.all([close(proxy), close(target)]);
    }
  });
});

describe('connectTls', () => {
  it('runs TLS inside a tunnel, checking the certificate and offering the ALPN protocols', async () => {
    const { key, cert } = await certificate();
    const server = createTlsServer({ key, cert, ALPNProtocols: ['h2', 'http/1.1'] }, (socket) =>
      socket.end(`protocol ${socket.alpnProtocol}`),
    );
    const port = await listen(server);
    const proxy = new ConnectProxy();
    const proxyUrl = await proxy.start();
    try {
      const tunnel = await openProxyTunnel({ proxyUrl, timeoutMs: 2000 }, '127.0.0.1', port);
      const tls = connectTls({
        host: '127.0.0.1',
        port,
        socket: tunnel,
        secureContext: createSecureContext({ ca: cert }),
        alpn: ['h2'],
      });
      await new Promise<void>((resolve, reject) => tls.once('secureConnect', resolve).once('error', reject));
      expect(tls.authorized).toBe(true);
      expect(tls.alpnProtocol).toBe('h2');
      expect(await firstData(tls as unknown as Socket)).toBe('protocol h2');
      tls.destroy();

      // Without the CA the same certificate is refused.
      const untrusted = connectTls({
        host: '127.0.0.1',
        port,
        socket: await openProxyTunnel({ proxyUrl, timeoutMs: 2000 }, '127.0.0.1', port),
      });
      await expect(
        new Promise((resolve, reject) => untrusted.once('secureConnect', resolve).once('error', reject)),
      ).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      await proxy.stop();
      await close(server);
    }
  });
});

describe('ProxyTunnelHttpAgent and ProxyTunnelHttpsAgent', () => {
  it('tunnel each pooled connection once and keep it beyond the tunnel time limit', async () => {
    const { key, cert } = await certificate();
    const handler = (_request: IncomingMessage, response: import('node:http').ServerResponse) =>
      response.end('ok');
    const plain = createHttpServer(handler);
    const secure = createHttpsServer({ key, cert }, handler);
    const plainPort = await listen(plain);
    const securePort = await listen(secure);
    const proxy = new ConnectProxy();
    const proxyUrl = await proxy.start();
    const tunnel = { proxyUrl, timeoutMs: 100 };
    const httpAgent = new ProxyTunnelHttpAgent(tunnel, { keepAlive: true });
    const httpsAgent = new ProxyTunnelHttpsAgent(tunnel, { keepAlive: true, ca: [cert] });
    const fetchText = (get: typeof httpGet | typeof httpsGet, url: string, agent: unknown) =>
      new Promise<string>((resolve, reject) =>
        get(url, { agent: agent as never }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve(body));
        }).on('error', reject),
      );
    try {
      for (let round = 0; round < 2; round++) {
        expect(await fetchText(httpGet, `http://127.0.0.1:${plainPort}/`, httpAgent)).toBe('ok');
        expect(await fetchText(httpsGet, `https://localhost:${securePort}/`, httpsAgent)).toBe('ok');
        // Longer than the tunnel's time limit: the pooled connections must still be usable.
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(proxy.tunnels.map((entry) => entry.target)).toEqual([
        `127.0.0.1:${plainPort}`,
        `localhost:${securePort}`,
      ]);
    } finally {
      httpAgent.destroy();
      httpsAgent.destroy();
      await proxy.stop();
      await Promise.all([close(plain), close(secure)]);
    }
  });
});
