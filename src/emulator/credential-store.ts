import { createPublicKey, KeyObject, randomBytes } from 'node:crypto';
import { ApnsKeyRegistration, FcmServiceAccountRegistration, HmsClientRegistration } from './emulator.types';
import { decodeJwt, DecodedJwt, JwtCache, verifyJwtSignature } from './jwt-verifier';

/** An APNs provider token whose signature, key and team check out; its age is checked per request. */
export type ApnsTokenCheck = { valid: true; issuedAt: number } | { valid: false };

export interface FcmAccessToken {
  clientEmail: string;
  projectId: string;
  expiresAt: number;
}

export interface HmsAccessToken {
  clientId: string;
  expiresAt: number;
}

export const FCM_TOKEN_LIFETIME_SECONDS = 3599;
export const HMS_TOKEN_LIFETIME_SECONDS = 3600;
/** Issued access tokens kept at most; the oldest go first (clients reuse a token for an hour). */
const MAX_ACCESS_TOKENS = 100_000;

/** Registered provider credentials and the access tokens issued for them. */
export class CredentialStore {
  private readonly apnsKeys = new Map<string, { teamId: string; key: KeyObject }>();
  private readonly fcmAccounts = new Map<string, { projectId: string; key: KeyObject }>();
  private readonly hmsClients = new Map<string, string>();
  private readonly fcmTokens = new Map<string, FcmAccessToken>();
  private readonly hmsTokens = new Map<string, HmsAccessToken>();
  private readonly apnsJwtChecks = new JwtCache<ApnsTokenCheck>();
  /** The last token checked: a client sends the same one for a long run of requests. */
  private lastApnsJwt?: { token: string; check: ApnsTokenCheck };

  registerApnsKey(registration: ApnsKeyRegistration): void {
    requireText(registration?.keyId, 'keyId');
    requireText(registration.teamId, 'teamId');
    const key = publicKeyOf(registration, 'ec');
    if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
      throw new Error('An APNs key must be EC P-256');
    this.apnsKeys.set(registration.keyId, { teamId: registration.teamId, key });
    // Cached verdicts may name this key id.
    this.apnsJwtChecks.clear();
    this.lastApnsJwt = undefined;
  }

  registerFcmServiceAccount(registration: FcmServiceAccountRegistration): void {
    requireText(registration?.clientEmail, 'clientEmail');
    requireText(registration.projectId, 'projectId');
    this.fcmAccounts.set(registration.clientEmail, {
      projectId: registration.projectId,
      key: publicKeyOf(registration, 'rsa'),
    });
  }

  registerHmsClient(registration: HmsClientRegistration): void {
    requireText(registration?.clientId, 'clientId');
    requireText(registration.clientSecret, 'clientSecret');
    this.hmsClients.set(registration.clientId, registration.clientSecret);
  }

  /** Signature, `alg`, `kid` and `iss` of an APNs provider token, cached by the token string. */
  checkApnsToken(token: string): ApnsTokenCheck {
    if (this.lastApnsJwt?.token === token) return this.lastApnsJwt.check;
    let check = this.apnsJwtChecks.get(token);
    if (!check) {
      check = this.verifyApnsToken(decodeJwt(token));
      this.apnsJwtChecks.set(token, check);
    }
    this.lastApnsJwt = { token, check };
    return check;
  }

  fcmAccount(clientEmail: string): { projectId: string; key: KeyObject } | undefined {
    return this.fcmAccounts.get(clientEmail);
  }

  issueFcmToken(clientEmail: string, projectId: string, now: number): string {
    const token = `ya29.c.${randomBytes(96).toString('base64url')}`;
    remember(this.fcmTokens, token, {
      clientEmail,
      projectId,
      expiresAt: now + FCM_TOKEN_LIFETIME_SECONDS * 1000,
    });
    return token;
  }

  /** An FCM access token that is known and not expired. */
  fcmToken(token: string, now: number): FcmAccessToken | undefined {
    const found = this.fcmTokens.get(token);
    return found && found.expiresAt > now ? found : undefined;
  }

  hmsClientMatches(clientId: string, clientSecret: string): boolean {
    const secret = this.hmsClients.get(clientId);
    return secret !== undefined && secret === clientSecret;
  }

  issueHmsToken(clientId: string, now: number): string {
    // Huawei's tokens are standard Base64 (with '+', '/' and '='), which clients must not mangle.
    const token = `CgB6e3x9${randomBytes(96).toString('base64')}`;
    remember(this.hmsTokens, token, { clientId, expiresAt: now + HMS_TOKEN_LIFETIME_SECONDS * 1000 });
    return token;
  }

  hmsToken(token: string, now: number): HmsAccessToken | undefined {
    const found = this.hmsTokens.get(token);
    return found && found.expiresAt > now ? found : undefined;
  }

  private verifyApnsToken(jwt: DecodedJwt | undefined): ApnsTokenCheck {
    if (!jwt || jwt.header.alg !== 'ES256' || typeof jwt.header.kid !== 'string') return { valid: false };
    const registered = this.apnsKeys.get(jwt.header.kid);
    const issuedAt = jwt.claims.iat;
    if (!registered || jwt.claims.iss !== registered.teamId || typeof issuedAt !== 'number') {
      return { valid: false };
    }
    return verifyJwtSignature(jwt, 'ES256', registered.key) ? { valid: true, issuedAt } : { valid: false };
  }
}

function remember<T>(tokens: Map<string, T>, token: string, value: T): void {
  if (tokens.size >= MAX_ACCESS_TOKENS) tokens.delete(tokens.keys().next().value as string);
  tokens.set(token, value);
}

function publicKeyOf(
  registration: { publicKeyPem?: string; privateKeyPem?: string },
  type: 'ec' | 'rsa',
): KeyObject {
  const pem = registration.publicKeyPem ?? registration.privateKeyPem;
  if (typeof pem !== 'string' || pem === '') throw new Error('publicKeyPem or privateKeyPem is required');
  // createPublicKey derives the public half from a private key PEM too.
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== type) throw new Error(`Expected an ${type.toUpperCase()} key`);
  return key;
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value === '') throw new Error(`${name} is required`);
}
