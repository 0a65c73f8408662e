import { createPrivateKey } from 'node:crypto';
import { PushServerError } from '../../common/errors/push-server.error';
import type { ServiceAccount } from '../../providers/push-provider';

/**
 * Checks provider credentials when they are uploaded, so a bad key is a clear 400 now rather than failed pushes
 * later. Messages never contain the secret.
 */
export function decodeBase64Secret(value: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw PushServerError.generic('Private key is not valid Base64.');
  }
  return Buffer.from(compact, 'base64');
}

export function checkApnsPrivateKey(pem: Buffer): string {
  const text = pem.toString('utf8');
  try {
    const key = createPrivateKey({ key: text, format: 'pem' });
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return text;
  } catch {
    // answered below
  }
  throw PushServerError.generic(
    'APNs private key must be a P-256 (ES256) private key in PEM format, as in the .p8 file from Apple.',
  );
}

export function checkFcmServiceAccount(json: Buffer): string {
  const text = json.toString('utf8');
  const invalid = () =>
    PushServerError.generic(
      'FCM private key must be a Firebase service-account JSON with client_email, private_key and token_uri.',
    );
  let account: Partial<Record<keyof ServiceAccount, unknown>>;
  try {
    account = JSON.parse(text) as typeof account;
  } catch {
    throw invalid();
  }
  if (
    account === null ||
    typeof account !== 'object' ||
    typeof account.client_email !== 'string' ||
    account.client_email.trim() === '' ||
    typeof account.private_key !== 'string' ||
    typeof account.token_uri !== 'string'
  ) {
    throw invalid();
  }
  try {
    const url = new URL(account.token_uri);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
  } catch {
    throw PushServerError.generic('FCM service-account token_uri must be an http(s) URL.');
  }
  try {
    createPrivateKey({ key: account.private_key, format: 'pem' });
  } catch {
    throw PushServerError.generic('FCM service-account private_key is not a valid PEM private key.');
  }
  return text;
}
