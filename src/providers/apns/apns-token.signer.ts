import { createPrivateKey, KeyObject, sign } from 'node:crypto';

/** Apple rejects provider tokens older than an hour and throttles ones renewed more often than every 20 minutes. */
const TOKEN_LIFETIME_MS = 50 * 60 * 1000;

/** The app's .p8 key is not a usable ES256 key: a credentials problem, not a network one. */
export class ApnsKeyError extends Error {
  constructor() {
    super('APNs private key is not a P-256 (ES256) private key');
  }
}

/**
 * The APNs provider token: an ES256 JWT with `kid` = key id and `iss` = team id, reused for 50 minutes and renewed
 * early when Apple answers ExpiredProviderToken.
 */
export class ApnsTokenSigner {
  private readonly key: KeyObject;
  private current?: { jwt: string; issuedAtMs: number };

  constructor(
    privateKeyPem: string,
    private readonly keyId: string,
    private readonly teamId: string,
    private readonly now: () => number = Date.now,
  ) {
    try {
      this.key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
    } catch {
      throw new ApnsKeyError();
    }
    if (this.key.asymmetricKeyType !== 'ec' || this.key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new ApnsKeyError();
    }
  }

  token(): string {
    const now = this.now();
    if (!this.current || now - this.current.issuedAtMs >= TOKEN_LIFETIME_MS) {
      this.current = { jwt: this.sign(now), issuedAtMs: now };
    }
    return this.current.jwt;
  }

  /** Drops `jwt` if it is still the current token, so the next request signs a fresh one. */
  renew(jwt: string): void {
    if (this.current?.jwt === jwt) this.current = undefined;
  }

  private sign(nowMs: number): string {
    const header = encode({ alg: 'ES256', kid: this.keyId });
    const claims = encode({ iss: this.teamId, iat: Math.floor(nowMs / 1000) });
    const input = `${header}.${claims}`;
    // JWS wants the raw r||s signature, not DER.
    const signature = sign('sha256', Buffer.from(input), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
