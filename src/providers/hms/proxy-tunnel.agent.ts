import * as http from 'node:http';
import * as https from 'node:https';
import { Socket } from 'node:net';
import { Duplex } from 'node:stream';

export interface ProxyTunnelOptions {
  /** http://[user:password@]host:port (https:// proxies are reached over TLS). */
  proxyUrl: string;
  /** How long the proxy may take to open the tunnel. */
  connectTimeoutMs: number;
  /** Trusted roots for an https:// proxy. */
  ca?: string[];
}

type ConnectionCallback = (err: Error | null, stream: Duplex) => void;

/**
 * Opens a TCP tunnel to host:port through an HTTP proxy (`CONNECT host:port`). The socket carries whatever the
 * caller speaks next (TLS for https targets).
 */
export function openProxyTunnel(options: ProxyTunnelOptions, host: string, port: number): Promise<Socket> {
  const proxy = new URL(options.proxyUrl);
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (proxy.username) {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const secureProxy = proxy.protocol === 'https:';
  const request = (secureProxy ? https : http).request({
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: Number(proxy.port) || (secureProxy ? 443 : 80),
    method: 'CONNECT',
    path: authority,
    headers,
    // The CONNECT itself must not be pooled or tunnelled.
    agent: false,
    ...(secureProxy && options.ca ? { ca: options.ca } : {}),
  });

  return new Promise<Socket>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      request.destroy();
      reject(error);
    };
    request.setTimeout(options.connectTimeoutMs, () =>
      fail(new Error(`Proxy did not open a tunnel within ${options.connectTimeoutMs} ms`)),
    );
    request.once('connect', (response: http.IncomingMessage, socket: Socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        return fail(new Error(`Proxy refused the tunnel: HTTP ${response.statusCode}`));
      }
      settled = true;
      // The request's idle timeout must not follow the socket into its life as a pooled connection.
      request.setTimeout(0);
      socket.setTimeout(0);
      resolve(socket);
    });
    // Some proxies answer a refused CONNECT as an ordinary response.
    request.once('response', (response: http.IncomingMessage) => {
      response.resume();
      fail(new Error(`Proxy refused the tunnel: HTTP ${response.statusCode}`));
    });
    request.once('error', (error) => fail(new Error(`Proxy connection failed: ${error.message}`)));
    request.end();
  });
}

/** A keep-alive https.Agent whose connections are TLS sessions inside proxy tunnels. */
export class ProxyTunnelHttpsAgent extends https.Agent {
  constructor(
    private readonly tunnel: ProxyTunnelOptions,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: ConnectionCallback,
  ): Duplex | undefined {
    const host = String(options.host ?? options.hostname ?? 'localhost');
    const port = Number(options.port) || 443;
    openProxyTunnel(this.tunnel, host, port).then(
      (socket) => {
        // https.Agent's own createConnection wraps the tunnel in TLS (SNI, CA, session cache included).
        const tlsSocket = super.createConnection({ ...options, socket } as https.RequestOptions);
        callback?.(null, tlsSocket as Duplex);
      },
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** A keep-alive http.Agent whose connections are proxy tunnels (for plain-http targets such as test servers). */
export class ProxyTunnelHttpAgent extends http.Agent {
  constructor(
    private readonly tunnel: ProxyTunnelOptions,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: ConnectionCallback,
  ): Duplex | undefined {
    const host = String(options.host ?? options.hostname ?? 'localhost');
    const port = Number(options.port) || 80;
    openProxyTunnel(this.tunnel, host, port).then(
      (socket) => callback?.(null, socket),
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}
