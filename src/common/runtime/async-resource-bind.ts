import { AsyncResource } from 'node:async_hooks';

type Bindable = (...args: any[]) => unknown;

/**
 * Node 20 gives every function bound with `AsyncResource.bind` a deprecated `asyncResource` accessor pair (DEP0172),
 * built from two `util.deprecate` wrappers per call. Fastify binds once per request that has a body and node:http2
 * once per stream: in bench:send that was a fifth of the server's CPU per single send (0.52 → 0.40 ms) and p99
 * 59 → 41 ms, as the wrappers also outlived the young generation (its collections copied 7 MB instead of 3). Node 24
 * took the property away (End-of-Life, nodejs/node#58618); this gives the running Node the same bind. It changes
 * nothing where the property is already gone, and nothing in this project or its dependencies reads it.
 */
export function bindWithoutDeprecatedProperty(): void {
  const probe = new AsyncResource('bind-probe', { requireManualDestroy: true }).bind(() => undefined);
  if (!Object.prototype.hasOwnProperty.call(probe, 'asyncResource')) return;
  const original = AsyncResource.prototype.bind as (fn: Bindable, thisArg?: unknown) => Bindable;
  // Upstream's bind since Node 24: the same scope, `this` and length, without the property.
  AsyncResource.prototype.bind = function bind<Func extends Bindable>(
    this: AsyncResource,
    fn: Func,
    thisArg?: unknown,
  ): Func {
    // The original throws Node's own ERR_INVALID_ARG_TYPE.
    if (typeof fn !== 'function') return original.call(this, fn, thisArg) as Func;
    const bound =
      thisArg === undefined
        ? callerBound(this, fn)
        : (this.runInAsyncScope.bind(this, fn, thisArg) as Bindable);
    Object.defineProperty(bound, 'length', {
      configurable: true,
      enumerable: false,
      value: fn.length,
      writable: false,
    });
    return bound as Func;
  };
}

/** `fn` run in the resource's scope with the `this` it is called with. */
function callerBound(resource: AsyncResource, fn: Bindable): Bindable {
  return function (this: unknown, ...args: unknown[]) {
    return resource.runInAsyncScope(fn, this, ...args);
  };
}
