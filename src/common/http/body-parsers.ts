import { PayloadTooLargeException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { Readable, Transform } from 'node:stream';
import { PushServerError } from '../errors/push-server.error';
import { routeFlags } from './route-options';

export interface BodyLimits {
  /** Every body (HTTP_BODY_LIMIT_BYTES). */
  general: number;
  /** A `@LargeBody()` route's, for callers `mayPostLargeBody` admits (CAMPAIGN_USER_BODY_LIMIT_BYTES). */
  large: number;
  /** Asked before a large body is read, so that only a client allowed to post one can make the server parse it. */
  mayPostLargeBody(request: FastifyRequest): Promise<boolean>;
}

/** The 400 of a body that is not JSON, or JSON that is not an object or a list. */
const malformedJson = () =>
  new PushServerError('ERROR_REQUEST', 'Malformed JSON in request body', [
    { fieldName: 'body', hint: 'must be a valid JSON object' },
  ]);

/** The 415 of a compressed body: neither the original nor this server inflates request bodies. */
const unsupportedEncoding = (encoding: string) =>
  new PushServerError(
    'ERROR_UNSUPPORTED_MEDIA_TYPE',
    `Content-Encoding ${encoding.slice(0, 50)} is not supported: send the body uncompressed`,
  );

/**
 * How request bodies are read: JSON objects and lists (strict, as the original's Jackson is; an empty body is `{}`;
 * a compressed one is a 415), any other content type is read and ignored (the handler sees no body and says what it
 * misses), and bodies over the limit are a 413.
 */
export function registerBodyParsers(fastify: FastifyInstance, limits: BodyLimits): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      return done(unsupportedEncoding(encoding), undefined);
    }
    const text = body as string;
    if (text.length === 0) return done(null, {});
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(malformedJson(), undefined);
    }
    // An object or a list; a scalar (a string, a number, true, null) is as malformed to the API as bad JSON.
    if (parsed === null || typeof parsed !== 'object') return done(malformedJson(), undefined);
    done(null, parsed);
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));

  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (!routeFlags(route.config).largeBody) return;
    route.bodyLimit = Math.max(limits.large, limits.general);
    route.preParsing = [
      ...[route.preParsing ?? []].flat(),
      async (request: FastifyRequest, _reply: unknown, payload: Readable) =>
        (await limits.mayPostLargeBody(request)) ? payload : limitedTo(limits.general, request, payload),
    ];
  });
}

/** The body stream, failing with a 413 once it passes `limit` bytes. */
function limitedTo(limit: number, request: FastifyRequest, payload: Readable): Readable {
  if (Number(request.headers['content-length']) > limit) throw new PayloadTooLargeException();
  let received = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback(received > limit ? new PayloadTooLargeException() : null, chunk);
    },
  });
  payload.on('error', (error) => limited.destroy(error));
  return payload.pipe(limited);
}
