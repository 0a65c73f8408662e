import { Injectable } from '@nestjs/common';
import Router from 'find-my-way';

export type RoutedMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One method of one path the server routes (a Nest route or one of the API description's). */
export interface CatalogRoute {
  method: RoutedMethod;
  /** Including CONTEXT_PATH, with parameters as `:id`. */
  path: string;
}

/**
 * Every route the server registers (`createApp` feeds it from Fastify's onRoute hook), so that a path served for
 * other methods can be answered with 405 and `Allow`, and the tests can walk every route.
 */
@Injectable()
export class RouteCatalog {
  // Matches paths as Fastify's router does: the same library, the same options as `createApp` gives Fastify.
  private readonly router = Router({ ignoreTrailingSlash: true });
  private readonly registered: CatalogRoute[] = [];

  add(method: string, path: string): void {
    // HEAD routes are Fastify's automatic copies of GET ones; OPTIONS is CORS's catch-all preflight.
    if (method === 'HEAD' || method === 'OPTIONS') return;
    this.registered.push({ method: method as RoutedMethod, path });
    this.router.on(method as Router.HTTPMethod, path, () => undefined);
  }

  get routes(): readonly CatalogRoute[] {
    return this.registered;
  }

  allowedMethods(path: string): string[] {
    const methods = new Set(this.registered.map((route) => route.method));
    return [...methods].filter((method) => this.router.find(method, path)).sort();
  }
}
