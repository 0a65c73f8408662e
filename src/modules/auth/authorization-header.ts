import { ApiKey, isKeyId, parseApiKey } from './api-key';

/**
 * The API key in an Authorization header: `Basic base64(keyId:secret)`, which PowerAuth REST clients can send, or
 * `Bearer <keyId>.<secret>`. undefined when the header is missing or in neither form.
 */
export function apiKeyFromAuthorization(header: string | undefined): ApiKey | undefined {
  if (!header || header.length > 2048) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return parseApiKey(value);
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const keyId = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  return isKeyId(keyId) && secret.length > 0 && secret.length <= 512 ? { keyId, secret } : undefined;
}

export const WWW_AUTHENTICATE = 'Basic realm="push-server", charset="UTF-8", Bearer realm="push-server"';
