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

  describe('after a key change (CREDENTIALS_ENCRYPTION_KEY_PREVIOUS)', () => {
    const oldKey = Buffer.alloc(32, 1);
    const newKey = Buffer.alloc(32, 3);
    const before = new CredentialsCipher({ credentialsEncryptionKey: oldKey });
    const after = new CredentialsCipher({
      credentialsEncryptionKey: newKey,
      credentialsEncryptionKeyPrevious: oldKey,
    });

    it('reads values sealed with the previous key, and says so', () => {
      const sealed = before.seal('old secret', 'apns_private_key');
      expect(after.open(sealed, 'apns_private_key')).toBe('old secret');
      expect(after.unseal(sealed, 'apns_private_key')).toEqual({
        plaintext: 'old secret',
        sealedWith: 'previous',
      });
    });

    it('seals with the current key only', () => {
      const sealed = after.seal('new secret', 'fcm_private_key');
      expect(after.unseal(sealed, 'fcm_private_key')).toEqual({
        plaintext: 'new secret',
        sealedWith: 'current',
      });
      expect(
        new CredentialsCipher({ credentialsEncryptionKey: newKey }).open(sealed, 'fcm_private_key'),
      ).toBe('new secret');
      expect(() => before.open(sealed, 'fcm_private_key')).toThrow(CredentialsDecryptionError);
    });

    it('reports plaintext as not sealed', () => {
      expect(after.unseal('plain', 'hms_client_secret')).toEqual({ plaintext: 'plain', sealedWith: 'none' });
    });

    it('still binds the column, and names both keys when neither opens a value', () => {
      const sealed = before.seal('secret', 'hms_client_secret');
      expect(() => after.open(sealed, 'apns_private_key')).toThrow(
        'apns_private_key cannot be decrypted with CREDENTIALS_ENCRYPTION_KEY or CREDENTIALS_ENCRYPTION_KEY_PREVIOUS',
      );
      const stranger = new CredentialsCipher({ credentialsEncryptionKey: Buffer.alloc(32, 9) }).seal(
        'x',
        'c',
      );
      expect(() => after.open(stranger, 'c')).toThrow(CredentialsDecryptionError);
    });

    it('with only the previous key set (encryption being turned off): reads sealed values, stores plaintext', () => {
      const off = new CredentialsCipher({ credentialsEncryptionKeyPrevious: oldKey });
      expect(off.enabled).toBe(false);
      expect(off.unseal(before.seal('secret', 'c'), 'c')).toEqual({
        plaintext: 'secret',
        sealedWith: 'previous',
      });
      expect(off.seal('plain', 'c')).toBe('plain');
      expect(() => off.open(after.seal('x', 'c'), 'c')).toThrow(
        'c cannot be decrypted with CREDENTIALS_ENCRYPTION_KEY_PREVIOUS',
      );
    });
  });
});
