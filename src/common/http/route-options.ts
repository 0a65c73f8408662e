import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';

/** What a handler's decorators tell the HTTP layer about its route (Fastify route config). */
export interface RouteFlags {
  /** The result is written as is, outside the envelope (health probes, metrics). */
  rawResponse?: boolean;
  /** The body may be up to CAMPAIGN_USER_BODY_LIMIT_BYTES, for callers allowed to post it (campaign user lists). */
  largeBody?: boolean;
}

/** Merges into the route's config, so that several of these decorators can sit on one handler. */
function routeFlag(flag: RouteFlags): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const current = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as RouteFlags;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...current, ...flag }, handler);
    return descriptor;
  };
}

/** Marks a handler whose result is written as is, outside the envelope (health probes). */
export const RawResponse = () => routeFlag({ rawResponse: true });

/** Marks a handler that reads a campaign user list (up to 100,000 ids): see `registerBodyParsers`. */
export const LargeBody = () => routeFlag({ largeBody: true });

/** The flags in a route's config (`request.routeOptions.config`, or `config` of a route being registered). */
export function routeFlags(config: unknown): RouteFlags {
  return (config ?? {}) as RouteFlags;
}
