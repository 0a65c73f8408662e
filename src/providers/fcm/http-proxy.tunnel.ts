import { request as httpRequest } from 'node:http';
import { isIP, Socket } from 'node:net';
import { connect as tlsConnect, rootCertificates, TLSSocket } from 'node:tls';

/** How provider connections are made: extra trusted CAs, an optional HTTP CONNECT proxy, a time limit. */
export interface TransportOptions {
  /** PEM text of PROVIDER_CA_FILE, trusted in addition to the system roots. */
  extraCaPem?: string;
  /** http://[user:password@]host:port of an HTTP CONNECT proxy. */
  proxyUrl?: string;
  timeoutMs: number;
}

/** The trusted roots: Node's bundled ones plus the extra CA (setting `ca` alone would replace them). */
export function trustedCas(extraCaPem: string | undefined): string[] | undefined {
  return extraCaPem ? [...rootCertificates, extraCaPem] : undefined;
}

/** An error that says nothing about the proxy's address or credentials. */
export class ProxyTunnelError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Opens a TCP tunnel to host:port through an HTTP CONNECT proxy. */
export function openProxyTunnel(
  proxyUrl: string,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Socket> {
  const proxy = new URL(proxyUrl);
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (proxy.username) {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxy.port || 80),
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
      timeout: timeoutMs,
    });
    request.once('connect', (response, socket, head) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        reject(new ProxyTunnelError(`proxy answered ${response.statusCode} to CONNECT`, 'PROXY_REFUSED'));
        return;
      }
      // Bytes the target sent right after the proxy's answer (a server speaking first) belong to the tunnel.
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('timeout', () => request.destroy(new ProxyTunnelError('proxy timed out', 'PROXY_TIMEOUT')));
    request.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error instanceof ProxyTunnelError
          ? error
          : new ProxyTunnelError(`proxy connection failed: ${error.code ?? error.message}`, 'PROXY_FAILED'),
      ),
    );
    request.end();
  });
}

/** TLS over an already open socket (a proxy tunnel), checking the certificate against `host`. */
export function tlsOverSocket(
  socket: Socket,
  host: string,
  ca: string[] | undefined,
  alpn?: string[],
): TLSSocket {
  return tlsConnect({
    socket,
    host,
    // SNI must not be an IP address (RFC 6066).
    servername: isIP(host) ? undefined : host,
    ca,
    ALPNProtocols: alpn,
  });
}
