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
  const target = parsedUrl(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | undefined, answer?: JsonAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(answer!);
    };
    const request = (secure ? https : http).request(
      target,
      {
        method: 'POST',
        agent: secure ? options.httpsAgent : options.httpAgent,
        headers: { Accept: 'application/json', ...headers, 'Content-Length': Buffer.byteLength(body) },
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
          settle(undefined, { status: response.statusCode ?? 0, data, headers: response.headers });
        });
        response.on('error', settle);
      },
    );
    // A plain timer, not an AbortSignal: a signal and its listeners cost several times more per request.
    const timer = setTimeout(() => {
      settle(timeoutError(options.timeoutMs));
      request.destroy();
    }, options.timeoutMs);
    request.on('error', settle);
    request.end(body);
  });
}

function timeoutError(timeoutMs: number): Error {
  const error = new Error(`No answer within ${timeoutMs} ms`);
  error.name = 'TimeoutError';
  return error;
}

/** Parsed once per URL: an adapter posts to a handful of URLs, each many times. */
const parsedUrls = new Map<string, URL>();
const MAX_PARSED_URLS = 1000;

function parsedUrl(url: string): URL {
  let parsed = parsedUrls.get(url);
  if (!parsed) {
    if (parsedUrls.size >= MAX_PARSED_URLS) parsedUrls.clear();
    parsed = new URL(url);
    parsedUrls.set(url, parsed);
  }
  return parsed;
}
