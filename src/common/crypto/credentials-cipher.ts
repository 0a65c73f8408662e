import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** Marks a value as encrypted; PowerAuth writes PEM, JSON or a plain secret, none of which starts like this. */
const MARKER = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class CredentialsDecryptionError extends Error {}

/** How a stored value was found: plaintext, or sealed with the current or the previous key. */
export type SealedWith = 'none' | 'current' | 'previous';

/**
 * AES-256-GCM for stored provider secrets when CREDENTIALS_ENCRYPTION_KEY is set. Values without the marker are
 * plaintext rows written by the original server (or before a key was set) and read as they are.
 * The column name is bound in as associated data, so a ciphertext cannot be moved to another column.
 * After a key change, values sealed with CREDENTIALS_ENCRYPTION_KEY_PREVIOUS are still read, so sending goes on
 * until `cli credentials re-encrypt` has re-sealed them with the new key.
 */
@Injectable()
export class CredentialsCipher {
  private readonly key?: Buffer;
  private readonly previousKey?: Buffer;

  constructor(
    @Inject(APP_CONFIG)
    config: Pick<AppConfig, 'credentialsEncryptionKey'> &
      Partial<Pick<AppConfig, 'credentialsEncryptionKeyPrevious'>>,
  ) {
    this.key = config.credentialsEncryptionKey;
    this.previousKey = config.credentialsEncryptionKeyPrevious;
  }

  /** True when new values are stored encrypted (CREDENTIALS_ENCRYPTION_KEY is set). */
  get enabled(): boolean {
    return this.key !== undefined;
  }

  seal(plaintext: string, column: string): string {
    if (!this.key) return plaintext;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(column));
    const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return MARKER + Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64');
  }

  open(stored: string, column: string): string {
    return this.unseal(stored, column).plaintext;
  }

  /** The plaintext of a stored value and which key sealed it; throws when no configured key opens it. */
  unseal(stored: string, column: string): { plaintext: string; sealedWith: SealedWith } {
    if (!stored.startsWith(MARKER)) return { plaintext: stored, sealedWith: 'none' };
    if (!this.key && !this.previousKey) {
      throw new CredentialsDecryptionError(
        `${column} is encrypted but CREDENTIALS_ENCRYPTION_KEY is not set`,
      );
    }
    const raw = Buffer.from(stored.slice(MARKER.length), 'base64');
    const current = this.key && decrypt(raw, this.key, column);
    if (current !== undefined) return { plaintext: current, sealedWith: 'current' };
    const previous = this.previousKey && decrypt(raw, this.previousKey, column);
    if (previous !== undefined) return { plaintext: previous, sealedWith: 'previous' };
    throw new CredentialsDecryptionError(
      `${column} cannot be decrypted with ${[
        this.key && 'CREDENTIALS_ENCRYPTION_KEY',
        this.previousKey && 'CREDENTIALS_ENCRYPTION_KEY_PREVIOUS',
      ]
        .filter(Boolean)
        .join(' or ')}`,
    );
  }

  /** True when a stored value is in encrypted form. */
  static isSealed(stored: string | Buffer | null | undefined): boolean {
    if (stored === null || stored === undefined) return false;
    const text = Buffer.isBuffer(stored) ? stored.subarray(0, MARKER.length).toString('latin1') : stored;
    return text.startsWith(MARKER);
  }
}

/** The plaintext, or undefined when the key (or the column) is not the one the value was sealed with. */
function decrypt(raw: Buffer, key: Buffer, column: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(column));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}
