import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * API keys are `<keyId>.<secret>`. The key id is public (the Basic user name); the secret is kept only as a slow
 * salted scrypt hash, so a copy of the table does not let anyone call the API.
 */
export interface ApiKey {
  keyId: string;
  secret: string;
}

const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;
// scrypt with N = 2^15, r = 8: about 32 MB and tens of milliseconds per hash (OWASP's minimum is N = 2^17 with
// r = 8 for passwords; API secrets are 256 random bits, so the cost only has to defeat a hash table copy).
const COST_LOG2 = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const HASH_BYTES = 32;
const SALT_BYTES = 16;

export function generateApiKey(keyId = `pk_${randomBytes(8).toString('hex')}`): ApiKey {
  return { keyId, secret: randomBytes(32).toString('base64url') };
}

export function formatApiKey(key: ApiKey): string {
  return `${key.keyId}.${key.secret}`;
}

/** `<keyId>.<secret>`, or undefined when the text cannot be one. */
export function parseApiKey(text: string): ApiKey | undefined {
  const dot = text.indexOf('.');
  if (dot < 0) return undefined;
  const keyId = text.slice(0, dot);
  const secret = text.slice(dot + 1);
  if (!isKeyId(keyId) || secret.length === 0 || secret.length > 512) return undefined;
  return { keyId, secret };
}

export function isKeyId(text: string): boolean {
  return KEY_ID_PATTERN.test(text);
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt, COST_LOG2, BLOCK_SIZE, PARALLELISM);
  return [
    'scrypt',
    COST_LOG2,
    BLOCK_SIZE,
    PARALLELISM,
    salt.toString('base64'),
    hash.toString('base64'),
  ].join('$');
}

/** Constant-time check of a secret against a stored hash; false for a hash in a form it does not know. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [costLog2, blockSize, parallelism] = parts.slice(1, 4).map(Number);
  if (![costLog2, blockSize, parallelism].every(Number.isInteger) || costLog2 > 20) return false;
  const expected = Buffer.from(parts[5], 'base64');
  const actual = await derive(secret, Buffer.from(parts[4], 'base64'), costLog2, blockSize, parallelism);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function derive(secret: string, salt: Buffer, costLog2: number, blockSize: number, parallelism: number) {
  const cost = 2 ** costLog2;
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(
      secret,
      salt,
      HASH_BYTES,
      { N: cost, r: blockSize, p: parallelism, maxmem: 256 * cost * blockSize },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}
