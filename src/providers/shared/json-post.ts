import * as http from 'node:http';
import * as https from 'node:https';

export interface JsonAnswer {
  status: number;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  data: unknown;
  headers: Record<string, unknown>;
}

const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * One POST over a keep-alive agent, answering any HTTP status. Plain node:http(s): on the send path an HTTP client
 * library costs several times more CPU per request than the request itself (see docs/decisions.md).
 * Rejects on network errors and on the timeout, which bounds the whole exchange (a proxy tunnel included).
 */
export function postForJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { httpsAgent: http.Agent; httpAgent: http.Agent; timeoutMs: number },
): Promise<JsonAnswer> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(
      target,
      {
        method: 'POST',
        agent: secure ? options.httpsAgent : options.httpAgent,
        headers: { Accept: 'application/json', ...headers, 'Content-Length': Buffer.byteLength(body) },
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : '';
          } catch {
            // not JSON: keep the text for the classifier
          }
          resolve({ status: response.statusCode ?? 0, data, headers: response.headers });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
