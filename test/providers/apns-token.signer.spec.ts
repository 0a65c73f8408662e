import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { ApnsKeyError, ApnsTokenSigner } from '../../src/providers/apns/apns-token.signer';
import { apnsPrivateKeyPem } from '../support/credentials';

describe('ApnsTokenSigner', () => {
  it('signs an ES256 JWT with kid and iss, reuses it for 50 minutes and renews on request', () => {
    const pem = apnsPrivateKeyPem();
    let now = Date.UTC(2030, 0, 1);
    const signer = new ApnsTokenSigner(pem, 'KEY1234567', 'TEAM123456', () => now);
    const jwt = signer.token();
    const [header, claims, signature] = jwt.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({
      alg: 'ES256',
      kid: 'KEY1234567',
    });
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({
      iss: 'TEAM123456',
      iat: now / 1000,
    });
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${claims}`),
      { key: createPublicKey(pem), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    expect(valid).toBe(true);

    now += 49 * 60 * 1000;
    expect(signer.token()).toBe(jwt);
    now += 60 * 1000;
    const second = signer.token();
    expect(second).not.toBe(jwt);
    signer.renew(jwt); // not current any more: ignored
    expect(signer.token()).toBe(second);
    now += 1000;
    signer.renew(second);
    expect(signer.token()).not.toBe(second);
  });

  it('refuses a key that is not P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    expect(() => new ApnsTokenSigner(rsa.toString(), 'k', 't')).toThrow(ApnsKeyError);
    expect(() => new ApnsTokenSigner('not a key', 'k', 't')).toThrow(ApnsKeyError);
  });
});
