import { KeyObject, verify } from 'node:crypto';

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Splits and decodes a compact JWS; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]) return undefined;
  const header = parseSegment(parts[0]);
  const claims = parseSegment(parts[1]);
  if (!header || !claims) return undefined;
  return {
    header,
    claims,
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: Buffer.from(parts[2], 'base64url'),
  };
}

/** ES256 (JWS: raw r||s, 64 bytes) or RS256 signature check. */
export function verifyJwtSignature(jwt: DecodedJwt, algorithm: 'ES256' | 'RS256', key: KeyObject): boolean {
  try {
    const data = Buffer.from(jwt.signingInput, 'utf8');
    if (algorithm === 'ES256') {
      if (jwt.signature.length !== 64) return false;
      return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, jwt.signature);
    }
    return verify('sha256', data, key, jwt.signature);
  } catch {
    return false;
  }
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verification results keyed by the exact token string: a provider token is reused for many requests, so the
 * signature is checked once. Time-dependent checks stay with the caller. Bounded: cleared when full.
 */
export class JwtCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity = 10_000) {}

  get(token: string): T | undefined {
    return this.entries.get(token);
  }

  set(token: string, value: T): void {
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(token, value);
  }

  clear(): void {
    this.entries.clear();
  }
}
