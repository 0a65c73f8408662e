import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { PushServerError } from '../../common/errors/push-server.error';
import { API_ACCESS_KEY, ApiAccess, ApiCaller } from './api-access';
import { ApiAuthenticator } from './api-authenticator.service';
import { ApiScope } from './api-scopes';
import { PUBLIC_METADATA, SCOPE_METADATA } from './auth.decorators';
import { apiKeyFromAuthorization, WWW_AUTHENTICATE } from './authorization-header';
import { FailureCounter, RateLimiter } from './rate-limiter';

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

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
    private readonly authenticator: ApiAuthenticator,
  ) {
    this.failures = new FailureCounter(config.auth.failureLimit, config.auth.failureWindowSeconds * 1000);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const address = sourceAddress(request);
    this.limit(`address:${address}`, this.config.rateLimits.perAddress);
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;
    if (this.config.auth.mode === 'none') {
      setAccess(request, new ApiAccess(undefined, address));
      return true;
    }
    const caller = await this.authenticate(request, address);
    const scope = this.reflector.getAllAndOverride<ApiScope | undefined>(SCOPE_METADATA, targets);
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

  /**
   * The gate of the API description, which Express serves outside Nest's guards: the per-address limit and, in
   * api-key mode, any active client's key (no scope needed).
   */
  async admitToApiDescription(request: Request): Promise<void> {
    const address = sourceAddress(request);
    this.limit(`address:${address}`, this.config.rateLimits.perAddress);
    if (this.config.auth.mode === 'api-key') await this.authenticate(request, address);
  }

  /**
   * Whether a campaign user list may be read with its larger body limit: asked before the body is read, so only a
   * client with the campaign scope can make the server parse megabytes. Anyone else gets the general limit, and the
   * guard answers (and counts a failure) as usual afterwards.
   */
  async mayPostLargeBody(request: Request): Promise<boolean> {
    if (this.config.auth.mode === 'none') return true;
    if (this.failures.blockedFor(sourceAddress(request)) > 0) return false;
    const key = apiKeyFromAuthorization(request.headers.authorization);
    if (!key) return false;
    const caller = await this.authenticator.authenticate(key).catch(() => undefined);
    return caller?.scopes.has('campaign') ?? false;
  }

  /** The caller behind the request's Authorization header; 401 (or 429 after too many failures) otherwise. */
  async authenticate(request: Request, address = sourceAddress(request)): Promise<ApiCaller> {
    const blockedFor = this.failures.blockedFor(address);
    if (blockedFor > 0) throw rateLimited(blockedFor, 'Too many failed authentication attempts');
    const key = apiKeyFromAuthorization(request.headers.authorization);
    if (!key) {
      throw new PushServerError(
        'ERROR_UNAUTHORIZED',
        'Authentication required: send an API key as HTTP Basic (key id and secret) or as Bearer <keyId>.<secret>',
        undefined,
        { 'WWW-Authenticate': WWW_AUTHENTICATE },
      );
    }
    const caller = await this.authenticator.authenticate(key);
    if (!caller) {
      this.failures.record(address);
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
    return caller;
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

/** The client's address as Express sees it (TRUST_PROXY decides whether X-Forwarded-For counts). */
export function sourceAddress(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}

function setAccess(request: Request, access: ApiAccess): void {
  (request as unknown as Record<string, ApiAccess>)[API_ACCESS_KEY] = access;
}
