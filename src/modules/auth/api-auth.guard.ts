import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { PushServerError } from '../../common/errors/push-server.error';
import { API_ACCESS_KEY, ApiAccess, ApiCaller } from './api-access';
import { ApiAuthenticator } from './api-authenticator.service';
import { ApiScope } from './api-scopes';
import { PUBLIC_METADATA, SCOPE_METADATA } from './auth.decorators';
import { apiKeyFromAuthorization, WWW_AUTHENTICATE } from './authorization-header';
import { addressGroup, FailureCounter, RateLimiter } from './rate-limiter';

interface RouteRule {
  isPublic: boolean;
  scope: ApiScope | undefined;
}

/** Where a request's authentication is kept, so that it runs once per request. */
const AUTHENTICATION_KEY = 'pushServerAuthentication';

/**
 * The one gate in front of every route: the per-address rate limit, then (AUTH_MODE=api-key) the API key, the
 * route's scope and the client's rate limit for that scope. Leaves the request's `ApiAccess` for the handler.
 * A route without a declared scope is closed to everyone, so a new endpoint cannot go out unprotected.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  private readonly logger = new Logger('ApiAuthGuard');
  private readonly limiter = new RateLimiter();
  private readonly failures: FailureCounter;
  private readonly rules = new WeakMap<object, RouteRule>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
    private readonly authenticator: ApiAuthenticator,
  ) {
    this.failures = new FailureCounter(config.auth.failureLimit, config.auth.failureWindowSeconds * 1000);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const address = sourceAddress(request);
    this.limit(`address:${addressGroup(address)}`, this.config.rateLimits.perAddress);
    const { isPublic, scope } = this.routeRule(context.getHandler(), context.getClass());
    if (isPublic) return true;
    if (this.config.auth.mode === 'none') {
      setAccess(request, new ApiAccess(undefined, address));
      return true;
    }
    const caller = await this.authenticate(request, address);
    if (scope === undefined || !caller.scopes.has(scope)) {
      throw new PushServerError(
        'ERROR_FORBIDDEN',
        scope === undefined
          ? 'This endpoint is not open to API clients'
          : `API client ${caller.name} does not have the ${scope} scope`,
      );
    }
    this.limit(`client:${caller.clientId}:${scope}`, this.config.rateLimits.perScope[scope]);
    setAccess(request, new ApiAccess(caller, address));
    return true;
  }

  /** A route's `@Public` and `@RequireScope`, read from its decorators once per handler. */
  private routeRule(handler: object, controller: object): RouteRule {
    let rule = this.rules.get(handler);
    if (!rule) {
      const targets = [handler, controller] as Array<() => void>;
      rule = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets) === true,
        scope: this.reflector.getAllAndOverride<ApiScope | undefined>(SCOPE_METADATA, targets),
      };
      this.rules.set(handler, rule);
    }
    return rule;
  }

  /**
   * The gate of the API description, which Fastify serves outside Nest's guards: the per-address limit and, in
   * api-key mode, any active client's key (no scope needed).
   */
  async admitToApiDescription(request: FastifyRequest): Promise<void> {
    const address = sourceAddress(request);
    this.limit(`address:${addressGroup(address)}`, this.config.rateLimits.perAddress);
    if (this.config.auth.mode === 'api-key') await this.authenticate(request, address);
  }

  /**
   * Whether a campaign user list may be read with its larger body limit: asked before the body is read, so only a
   * client with the campaign scope can make the server parse megabytes. The authentication is kept on the request and
   * reused by the guard, so a failure counts once, even when the body then fails to parse and the guard never runs.
   */
  async mayPostLargeBody(request: FastifyRequest): Promise<boolean> {
    if (this.config.auth.mode === 'none') return true;
    const caller = await this.authenticateOnce(request, sourceAddress(request)).catch(() => undefined);
    return caller?.scopes.has('campaign') ?? false;
  }

  /** The caller behind the request's Authorization header; 401 (or 429 after too many failures) otherwise. */
  authenticate(request: FastifyRequest, address = sourceAddress(request)): Promise<ApiCaller> {
    return this.authenticateOnce(request, address);
  }

  private authenticateOnce(request: FastifyRequest, address: string): Promise<ApiCaller> {
    const holder = request as unknown as Record<string, Promise<ApiCaller> | undefined>;
    holder[AUTHENTICATION_KEY] ??= this.check(request, addressGroup(address), address);
    return holder[AUTHENTICATION_KEY];
  }

  /**
   * Failed attempts count per address group (an IPv6 /64). An address over its limit may still use a key this node
   * has already verified (that costs nothing and proves nothing to a guesser); anything needing a slow check, and every
   * failure, is answered 429 until the window ends.
   */
  private async check(request: FastifyRequest, group: string, address: string): Promise<ApiCaller> {
    const key = apiKeyFromAuthorization(request.headers.authorization);
    if (!key) {
      const blockedFor = this.failures.blockedFor(group);
      if (blockedFor > 0) throw rateLimited(blockedFor, 'Too many failed authentication attempts');
      throw new PushServerError(
        'ERROR_UNAUTHORIZED',
        'Authentication required: send an API key as HTTP Basic (key id and secret) or as Bearer <keyId>.<secret>',
        undefined,
        { 'WWW-Authenticate': WWW_AUTHENTICATE },
      );
    }
    let counted = false;
    const caller = await this.authenticator.authenticate(key, {
      before: () => {
        const blockedFor = this.failures.blockedFor(group);
        if (blockedFor > 0) throw rateLimited(blockedFor, 'Too many failed authentication attempts');
        this.failures.record(group);
        counted = true;
      },
      passed: () => this.failures.forgive(group),
    });
    if (caller) return caller;
    // A slow check was admitted (and counted) before it ran; a quick failure is counted now, refused if over.
    if (!counted) {
      const blockedFor = this.failures.blockedFor(group);
      this.failures.record(group);
      if (blockedFor > 0) throw rateLimited(blockedFor, 'Too many failed authentication attempts');
    }
    // A client's key id is public; one that names no client may be a secret sent in the wrong field (Basic user
    // and password swapped), so only its length is logged. The secret never reaches a log.
    const keyId = this.authenticator.isKnownKeyId(key.keyId)
      ? `key id ${key.keyId}`
      : `an unknown key id of ${key.keyId.length} characters`;
    this.logger.warn(`Failed authentication from ${address} with ${keyId}`);
    throw new PushServerError('ERROR_UNAUTHORIZED', 'Invalid API credentials', undefined, {
      'WWW-Authenticate': WWW_AUTHENTICATE,
    });
  }

  private limit(key: string, perSecond: number): void {
    if (!this.config.rateLimits.enabled) return;
    const waitSeconds = this.limiter.take(key, perSecond);
    if (waitSeconds > 0) throw rateLimited(waitSeconds, 'Too many requests');
  }
}

function rateLimited(seconds: number, message: string): PushServerError {
  return new PushServerError('ERROR_RATE_LIMITED', `${message}, retry after ${seconds} s`, undefined, {
    'Retry-After': String(seconds),
  });
}

/** The client's address as Fastify sees it (TRUST_PROXY decides whether X-Forwarded-For counts). */
export function sourceAddress(request: FastifyRequest): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}

function setAccess(request: FastifyRequest, access: ApiAccess): void {
  (request as unknown as Record<string, ApiAccess>)[API_ACCESS_KEY] = access;
}
