import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';

export interface ProxiedTunnel {
  /** The CONNECT target, host:port. */
  target: string;
  /** The Proxy-Authorization header, when the client sent one. */
  proxyAuthorization?: string;
}

/**
 * A tiny HTTP CONNECT proxy for tests: opens TCP tunnels and records each CONNECT. Plain proxied requests (absolute
 * URIs) are refused with 405, so a client that does not tunnel fails loudly.
 */
export class ConnectProxy {
  readonly tunnels: ProxiedTunnel[] = [];
  /** When set, CONNECT requests without this exact Proxy-Authorization are answered 407. */
  requiredAuthorization?: string;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  /** Starts on an ephemeral port of 127.0.0.1 and returns the proxy URL (http://127.0.0.1:port). */
  async start(): Promise<string> {
    const server = createServer((_req, res) => {
      res.writeHead(405, { Connection: 'close' });
      res.end('Only CONNECT is supported');
    });
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) =>
      this.tunnel(req, client, head),
    );
    server.on('connection', (socket: Socket) => this.track(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = req.url ?? '';
    const proxyAuthorization = req.headers['proxy-authorization'];
    this.tunnels.push({ target, proxyAuthorization });
    if (this.requiredAuthorization !== undefined && proxyAuthorization !== this.requiredAuthorization) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const separator = target.lastIndexOf(':');
    const host = target.slice(0, separator).replace(/^\[|\]$/g, '');
    const upstream = connect(Number(target.slice(separator + 1)), host);
    this.track(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once('error', () => {
      if (!connected) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
    client.once('error', () => upstream.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => {
      if (connected) client.destroy();
    });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
