import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Socket } from 'node:net';

/** Why a tunnel could not be opened, in words safe for a delivery reason (no proxy address or credentials). */
export class ProxyTunnelError extends Error {}

/**
 * Opens an HTTP CONNECT tunnel to `host:port` through the proxy at `proxyUrl` (http://[user:password@]host:port)
 * and resolves with the raw socket, ready for TLS.
 */
export function openProxyTunnel(
  proxyUrl: string,
  host: string,
  port: number,
  options: { timeoutMs: number; ca?: string[] },
): Promise<Socket> {
  const proxy = new URL(proxyUrl);
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (proxy.username) {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const request = (proxy.protocol === 'https:' ? httpsRequest : httpRequest)({
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
    method: 'CONNECT',
    path: authority,
    headers,
    ca: options.ca,
    agent: false,
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      request.destroy();
      reject(new ProxyTunnelError(`APNs proxy did not open a tunnel within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.once('connect', (response, socket, head) => {
      clearTimeout(timer);
      if (response.statusCode !== 200) {
        socket.destroy();
        reject(new ProxyTunnelError(`APNs proxy refused the tunnel: HTTP ${response.statusCode}`));
        return;
      }
      // Bytes the proxy sent after its answer belong to the tunnelled stream.
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ProxyTunnelError(`APNs proxy connection failed: ${error.code ?? 'error'}`));
    });
    request.end();
  });
}
