import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { requestPath } from './request-path';

const API_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // Browsers ignore it over plain HTTP; behind a TLS gateway it keeps them on HTTPS.
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  // Answers hold device tokens and app configuration: no shared cache may keep them.
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

// Swagger UI is a page of its own scripts and styles (some inline) and data: images.
const SWAGGER_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "frame-ancestors 'none'";

/** Security headers on every response; the API description gets a CSP its page can run under. */
export function securityHeaders(swaggerPath: RegExp) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    reply.headers(API_HEADERS);
    if (swaggerPath.test(requestPath(request))) reply.header('Content-Security-Policy', SWAGGER_CSP);
    done();
  };
}
