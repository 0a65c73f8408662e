import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PushServerError } from '../../common/errors/push-server.error';
import type { ApiScope } from './api-scopes';

/** The authenticated caller, as the routes and the audit log see it. */
export interface ApiCaller {
  clientId: number;
  name: string;
  keyId: string;
  scopes: ReadonlySet<ApiScope>;
  /** Apps the client may act on; undefined = every app. */
  appIds?: ReadonlySet<string>;
}

/**
 * What one request may touch. Services that act on an app (directly, or through a device, campaign or inbox message)
 * check it with `assertApp`; listings narrow themselves with `mayUse`. Work that no request started (recovery, live
 * campaign runs) uses `ApiAccess.internal`.
 */
export class ApiAccess {
  static readonly internal = new ApiAccess(undefined, undefined);

  constructor(
    /** undefined: AUTH_MODE=none, or work of the server itself. */
    readonly caller: ApiCaller | undefined,
    /** The request's source address (after TRUST_PROXY), for the audit log. */
    readonly address: string | undefined,
  ) {}

  /** True when some apps are out of reach. */
  get restricted(): boolean {
    return this.caller?.appIds !== undefined;
  }

  mayUse(appId: string): boolean {
    return this.caller?.appIds === undefined || this.caller.appIds.has(appId);
  }

  /** 403 unless the caller may act on the app. */
  assertApp(appId: string): void {
    if (!this.mayUse(appId)) {
      throw new PushServerError('ERROR_FORBIDDEN', `API client is not allowed to act on app ${appId}`);
    }
  }

  /** 403 unless the caller may act on every one of the apps. */
  assertApps(appIds: Iterable<string>): void {
    for (const appId of appIds) this.assertApp(appId);
  }
}

/** Where the guard leaves the request's access. */
export const API_ACCESS_KEY = 'pushServerApiAccess';

export function accessOf(request: FastifyRequest): ApiAccess {
  return (request as unknown as Record<string, ApiAccess | undefined>)[API_ACCESS_KEY] ?? ApiAccess.internal;
}

/** The request's `ApiAccess`: `create(@RequestObject(X) request: X, @CallerAccess() access: ApiAccess)`. */
export const CallerAccess = createParamDecorator((_: unknown, context: ExecutionContext) =>
  accessOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
