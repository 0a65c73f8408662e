import { CredentialsCipher, CredentialsDecryptionError } from '../../src/common/crypto/credentials-cipher';

describe('CredentialsCipher', () => {
  const key = Buffer.alloc(32, 1);
  const cipher = new CredentialsCipher({ credentialsEncryptionKey: key });

  it('seals with a marker, never keeps the plaintext, and opens again', () => {
    const sealed = cipher.seal('-----BEGIN PRIVATE KEY-----secret', 'apns_private_key');
    expect(sealed.startsWith('enc:v1:')).toBe(true);
    expect(sealed).not.toContain('secret');
    expect(CredentialsCipher.isSealed(sealed)).toBe(true);
    expect(CredentialsCipher.isSealed(Buffer.from(sealed))).toBe(true);
    expect(cipher.open(sealed, 'apns_private_key')).toBe('-----BEGIN PRIVATE KEY-----secret');
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.seal('same', 'c')).not.toBe(cipher.seal('same', 'c'));
  });

  it('reads plaintext rows written by the original server as they are', () => {
    expect(cipher.open('{"client_email":"x"}', 'fcm_private_key')).toBe('{"client_email":"x"}');
    expect(CredentialsCipher.isSealed('-----BEGIN')).toBe(false);
  });

  it('refuses a value moved to another column, a wrong key, or no key', () => {
    const sealed = cipher.seal('secret', 'hms_client_secret');
    expect(() => cipher.open(sealed, 'apns_private_key')).toThrow(CredentialsDecryptionError);
    expect(() =>
      new CredentialsCipher({ credentialsEncryptionKey: Buffer.alloc(32, 2) }).open(
        sealed,
        'hms_client_secret',
      ),
    ).toThrow(CredentialsDecryptionError);
    expect(() => new CredentialsCipher({}).open(sealed, 'hms_client_secret')).toThrow(
      'hms_client_secret is encrypted but CREDENTIALS_ENCRYPTION_KEY is not set',
    );
  });

  it('stores plaintext when no key is configured', () => {
    expect(new CredentialsCipher({}).seal('plain', 'c')).toBe('plain');
  });
});
