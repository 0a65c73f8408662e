import { Agent, request } from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query string, already percent-encoded as it goes on the wire. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/**
 * Sends exactly what it is given (any method, a body on GET, bytes that are not UTF-8, a Content-Length the body
 * does not match is not attempted): supertest would serialise bodies and refuse some of these.
 */
export function sendRaw(baseUrl: string, raw: RawRequest, timeoutMs = 60000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body =
    raw.body === undefined ? undefined : Buffer.isBuffer(raw.body) ? raw.body : Buffer.from(raw.body);
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: raw.method,
        path: raw.path,
        agent,
        headers: { ...raw.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          settled = true;
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', (error) => {
          if (!settled) reject(error);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`No answer within ${timeoutMs} ms`)));
    // A server that answers early (413) may close the connection while a large body is still being written: the
    // answer counts, the write error does not.
    req.on('error', (error) => {
      if (!settled) setTimeout(() => !settled && reject(error), 50);
    });
    req.end(body);
  });
}

export function closeClient(): void {
  agent.destroy();
}
