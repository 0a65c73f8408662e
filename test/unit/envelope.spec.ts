import { formatDate, okEnvelope, Paged, toWireJson } from '../../src/common/envelope/envelope';

describe('envelope', () => {
  it('writes dates like Java: UTC with milliseconds and +00:00', () => {
    expect(formatDate(new Date('2022-08-25T22:34:58.702Z'))).toBe('2022-08-25T22:34:58.702+00:00');
  });

  it('omits null and undefined properties at every depth, keeps falsy values and array slots', () => {
    expect(
      toWireJson({
        a: null,
        b: undefined,
        c: 0,
        d: false,
        e: '',
        f: { g: null, h: [1, null] },
        at: new Date(0),
      }),
    ).toEqual({ c: 0, d: false, e: '', f: { h: [1, null] }, at: '1970-01-01T00:00:00.000+00:00' });
  });

  it('answers OK without responseObject when there is nothing to return', () => {
    expect(okEnvelope(undefined)).toEqual({ status: 'OK' });
    expect(okEnvelope({ appId: 'x' })).toEqual({ status: 'OK', responseObject: { appId: 'x' } });
  });

  it('puts page and size next to status for paged results', () => {
    expect(okEnvelope(new Paged(['u1'], 0, 20))).toEqual({
      status: 'OK',
      responseObject: ['u1'],
      page: 0,
      size: 20,
    });
  });
});
