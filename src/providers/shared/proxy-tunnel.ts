import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, TLSSocket, SecureContext } from 'node:tls';

export interface ProxyTunnelOptions {
  /** http://[user:password@]host:port of an HTTP CONNECT proxy (https:// proxies are reached over TLS). */
  proxyUrl: string;
  /** How long the proxy may take to open the tunnel. */
  timeoutMs: number;
  /** Trusted CAs for an https:// proxy, or undefined for Node's defaults. */
  secureContext?: SecureContext;
}

/**
 * Why a tunnel could not be opened. The message is lower case, to follow an adapter's prefix ("APNs proxy refused
 * the tunnel: HTTP 407"), and, like `code`, never holds the proxy's address or credentials.
 */
export class ProxyTunnelError extends Error {
  constructor(
    message: string,
    readonly code: 'PROXY_REFUSED' | 'PROXY_TIMEOUT' | 'PROXY_FAILED',
  ) {
    super(message);
  }
}

/**
 * Opens a TCP tunnel to host:port through an HTTP CONNECT proxy, sending Basic credentials when the proxy URL has
 * them. The socket carries whatever the caller speaks next (TLS for https targets).
 */
export function openProxyTunnel(options: ProxyTunnelOptions, host: string, port: number): Promise<Socket> {
  const proxy = new URL(options.proxyUrl);
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
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
    ...(secureProxy && options.secureContext ? { secureContext: options.secureContext } : {}),
  });

  return new Promise<Socket>((resolve, reject) => {
    let settled = false;
    const fail = (error: ProxyTunnelError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(error);
    };
    // A timer rather than a socket timeout: it bounds the whole exchange and leaves nothing behind on a socket
    // that lives on as a pooled connection.
    const timer = setTimeout(
      () =>
        fail(
          new ProxyTunnelError(`proxy did not open a tunnel within ${options.timeoutMs} ms`, 'PROXY_TIMEOUT'),
        ),
      options.timeoutMs,
    );
    request.once('connect', (response: http.IncomingMessage, socket: Socket, head: Buffer) => {
      if (settled || response.statusCode !== 200) {
        socket.destroy();
        fail(new ProxyTunnelError(`proxy refused the tunnel: HTTP ${response.statusCode}`, 'PROXY_REFUSED'));
        return;
      }
      settled = true;
      clearTimeout(timer);
      // Bytes that came with the proxy's answer (a target speaking first) belong to the tunnelled stream.
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    // Some proxies answer a refused CONNECT as an ordinary response.
    request.once('response', (response: http.IncomingMessage) => {
      response.resume();
      fail(new ProxyTunnelError(`proxy refused the tunnel: HTTP ${response.statusCode}`, 'PROXY_REFUSED'));
    });
    // `on`, not `once`: a destroyed request may still emit an error, which must not go unhandled.
    request.on('error', (error: NodeJS.ErrnoException) =>
      fail(new ProxyTunnelError(`proxy connection failed: ${error.code ?? 'error'}`, 'PROXY_FAILED')),
    );
    request.end();
  });
}

export interface TlsTarget {
  host: string;
  port: number;
  /** An open socket to run TLS over (a proxy tunnel); without one, TLS connects to host:port itself. */
  socket?: Socket;
  /** Trusted CAs, or undefined for Node's defaults. */
  secureContext?: SecureContext;
  /** ALPN protocols to offer, e.g. ['h2']. */
  alpn?: string[];
}

/** A TLS connection whose certificate is checked against `host`, also when it runs inside a proxy tunnel. */
export function connectTls(target: TlsTarget): TLSSocket {
  return tlsConnect({
    host: target.host,
    port: target.port,
    socket: target.socket,
    secureContext: target.secureContext,
    // SNI must be a host name (RFC 6066); certificates of IP addresses are still checked.
    servername: isIP(target.host) ? undefined : target.host,
    ALPNProtocols: target.alpn,
  });
}

type ConnectionCallback = (err: Error | null, stream: Duplex) => void;

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
    tunnelFor(this.tunnel, options, 443).then(
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
    tunnelFor(this.tunnel, options, 80).then(
      (socket) => callback?.(null, socket),
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** The tunnel to the host and port an agent was asked to connect to. */
function tunnelFor(tunnel: ProxyTunnelOptions, options: http.ClientRequestArgs, defaultPort: number) {
  const host = String(options.host ?? options.hostname ?? 'localhost').replace(/^\[|\]$/g, '');
  return openProxyTunnel(tunnel, host, Number(options.port) || defaultPort);
}
