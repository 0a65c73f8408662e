import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { bindWithoutDeprecatedProperty } from '../../src/common/runtime/async-resource-bind';

describe('bindWithoutDeprecatedProperty', () => {
  beforeAll(() => bindWithoutDeprecatedProperty());

  it('binds without the deprecated asyncResource property, keeping the length', () => {
    const bound = new AsyncResource('test').bind((a: number, b: number) => a + b);
    expect(Object.prototype.hasOwnProperty.call(bound, 'asyncResource')).toBe(false);
    expect(bound.length).toBe(2);
    expect(bound(2, 3)).toBe(5);
  });

  it('runs the function in the resource’s scope, with the context of where it was bound', async () => {
    const storage = new AsyncLocalStorage<string>();
    const resource = storage.run('request 1', () => new AsyncResource('test'));
    const bound = resource.bind(() => [storage.getStore(), executionAsyncId()]);
    const seen = await storage.run(
      'request 2',
      () => new Promise((resolve) => setImmediate(() => resolve(bound()))),
    );
    expect(seen).toEqual(['request 1', resource.asyncId()]);
  });

  it('passes the caller’s this, or the one given to bind', () => {
    function self(this: unknown) {
      return this;
    }
    const receiver = { name: 'receiver' };
    const given = { name: 'given' };
    expect(new AsyncResource('test').bind(self).call(receiver)).toBe(receiver);
    // `thisArg` is documented for the instance's bind, not in its types.
    const bindWithThis = AsyncResource.prototype.bind as (
      fn: () => unknown,
      thisArg: unknown,
    ) => () => unknown;
    expect(bindWithThis.call(new AsyncResource('test'), self, given).call(receiver)).toBe(given);
    expect(AsyncResource.bind(self, 'static', given)()).toBe(given);
  });

  it('still rejects what is not a function, with Node’s own error', () => {
    expect(() => new AsyncResource('test').bind('not a function' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });

  it('is idempotent', () => {
    const patched = AsyncResource.prototype.bind;
    bindWithoutDeprecatedProperty();
    expect(AsyncResource.prototype.bind).toBe(patched);
  });
});
