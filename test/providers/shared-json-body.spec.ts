import { jsonObject } from '../../src/providers/shared/json-body';

describe('jsonObject', () => {
  it('parses JSON text and takes objects a client library already parsed', () => {
    expect(jsonObject('{"code":"80000000"}')).toEqual({ code: '80000000' });
    const parsed = { name: 'projects/p/messages/1' };
    expect(jsonObject(parsed)).toBe(parsed);
  });

  it('reads anything that is not a JSON object as no body', () => {
    for (const value of ['<html>bad gateway</html>', '', '42', 'null', '[1]', [1], null, undefined, 42]) {
      expect(jsonObject(value)).toBeUndefined();
    }
  });
});
