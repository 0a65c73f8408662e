import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { CredentialsCipher, CredentialsDecryptionError } from '../common/crypto/credentials-cipher';
import { TransactionRunner } from '../database/transaction-runner';
import { AppCredentialsEntity } from '../modules/admin/entities/app-credentials.entity';
import { AuditService } from '../modules/audit/audit.service';
import { CliError, CliIo } from './cli-io';

/**
 * The secret columns the server seals (admin.service.ts). The legacy ios_private_key and android_private_key are
 * left alone: this server never writes them, and older PowerAuth nodes that still read them cannot decrypt.
 */
const SECRET_COLUMNS = [
  { column: 'apns_private_key', property: 'apnsPrivateKey', binary: true },
  { column: 'fcm_private_key', property: 'fcmPrivateKey', binary: true },
  { column: 'hms_client_secret', property: 'hmsClientSecret', binary: false },
] as const;

// hms_client_secret is a VARCHAR(255): longer plaintext secrets (over about 150 characters) cannot be stored sealed.
const HMS_SECRET_MAX_STORED = 255;

interface ReEncryptionCounts {
  apps: number;
  values: number;
  fromPrevious: number;
  fromPlaintext: number;
  alreadyCurrent: number;
  decrypted: number;
  alreadyPlaintext: number;
  tooLong: number;
  changedValues: number;
  changedApps: number;
}

/** `credentials re-encrypt`: finishes a change of CREDENTIALS_ENCRYPTION_KEY, or turns encryption on or off. */
@Injectable()
export class CredentialsCommands {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cipher: CredentialsCipher,
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async reEncrypt(options: { decrypt: boolean }, io: CliIo): Promise<void> {
    if (options.decrypt && this.cipher.enabled) {
      throw new CliError(
        '--decrypt stores the provider secrets in plaintext and is only for turning encryption off: unset ' +
          'CREDENTIALS_ENCRYPTION_KEY and put the old key in CREDENTIALS_ENCRYPTION_KEY_PREVIOUS',
      );
    }
    if (!options.decrypt && !this.cipher.enabled) {
      throw new CliError(
        'CREDENTIALS_ENCRYPTION_KEY is not set, so there is no key to encrypt with. To turn encryption off ' +
          'instead, put the old key in CREDENTIALS_ENCRYPTION_KEY_PREVIOUS and run: credentials re-encrypt --decrypt',
      );
    }
    const warnings: string[] = [];
    const counts = await this.transactions.run((manager) => this.reSeal(manager, options.decrypt, warnings));
    for (const warning of warnings) io.err(`Warning: ${warning}`);
    if (counts.changedValues > 0) {
      await this.audit.record({
        action: 'credentials.re-encrypted',
        cliActor: io.actor,
        resource: 'push_app_credentials',
        details: {
          mode: options.decrypt ? 'decrypt' : 'encrypt',
          apps: counts.changedApps,
          values: counts.changedValues,
          ...(options.decrypt
            ? { decrypted: counts.decrypted }
            : { fromPreviousKey: counts.fromPrevious, fromPlaintext: counts.fromPlaintext }),
        },
      });
    }
    io.out(summary(counts, options.decrypt, this.config.credentialsEncryptionKeyPrevious !== undefined));
  }

  /** Reads every app under a row lock, then writes back the values that change; all or nothing. */
  private async reSeal(
    manager: EntityManager,
    decrypt: boolean,
    warnings: string[],
  ): Promise<ReEncryptionCounts> {
    const locks =
      manager.connection.options.type === 'better-sqlite3'
        ? {}
        : { lock: { mode: 'pessimistic_write' as const } };
    const rows = await manager.find(AppCredentialsEntity, {
      select: { id: true, appId: true, apnsPrivateKey: true, fcmPrivateKey: true, hmsClientSecret: true },
      order: { id: 'ASC' },
      ...locks,
    });
    const counts: ReEncryptionCounts = {
      apps: rows.length,
      values: 0,
      fromPrevious: 0,
      fromPlaintext: 0,
      alreadyCurrent: 0,
      decrypted: 0,
      alreadyPlaintext: 0,
      tooLong: 0,
      changedValues: 0,
      changedApps: 0,
    };
    for (const row of rows) {
      const changes: Partial<AppCredentialsEntity> = {};
      for (const { column, property, binary } of SECRET_COLUMNS) {
        const value = row[property];
        if (value === null || value === undefined) continue;
        counts.values += 1;
        const stored = Buffer.isBuffer(value) ? value.toString('utf8') : value;
        let opened: ReturnType<CredentialsCipher['unseal']>;
        try {
          opened = this.cipher.unseal(stored, column);
        } catch (error) {
          if (!(error instanceof CredentialsDecryptionError)) throw error;
          throw new CliError(`App ${row.appId}: ${error.message}. Nothing was changed.`);
        }
        let next: string;
        if (decrypt) {
          if (opened.sealedWith === 'none') {
            counts.alreadyPlaintext += 1;
            continue;
          }
          next = opened.plaintext;
          counts.decrypted += 1;
        } else {
          if (opened.sealedWith === 'current') {
            counts.alreadyCurrent += 1;
            continue;
          }
          next = this.cipher.seal(opened.plaintext, column);
          if (!binary && next.length > HMS_SECRET_MAX_STORED) {
            counts.tooLong += 1;
            warnings.push(
              `app ${row.appId}: the HMS client secret is too long to be stored encrypted ` +
                `(${opened.plaintext.length} characters, at most about 150); it stays in plaintext`,
            );
            continue;
          }
          if (opened.sealedWith === 'previous') counts.fromPrevious += 1;
          else counts.fromPlaintext += 1;
        }
        // The plaintext is unchanged, so timestamp_last_updated stays: running nodes keep their provider clients.
        Object.assign(changes, { [property]: binary ? Buffer.from(next, 'utf8') : next });
        counts.changedValues += 1;
      }
      if (Object.keys(changes).length > 0) {
        await manager.update(AppCredentialsEntity, { id: row.id }, changes);
        counts.changedApps += 1;
      }
    }
    return counts;
  }
}

function summary(counts: ReEncryptionCounts, decrypt: boolean, previousKeySet: boolean): string {
  const lines = [
    `Stored provider secrets (APNs keys, FCM service accounts, HMS client secrets): ${counts.values} in ${counts.apps} apps`,
  ];
  if (decrypt) {
    lines.push(`  decrypted to plaintext:             ${counts.decrypted}`);
    lines.push(`  already plaintext:                  ${counts.alreadyPlaintext}`);
  } else {
    lines.push(`  re-encrypted from the previous key: ${counts.fromPrevious}`);
    lines.push(`  encrypted from plaintext:           ${counts.fromPlaintext}`);
    lines.push(`  already under the current key:      ${counts.alreadyCurrent}`);
    if (counts.tooLong > 0) lines.push(`  left in plaintext (too long):       ${counts.tooLong}`);
  }
  lines.push(
    counts.changedValues === 0
      ? 'Nothing to change.'
      : `Changed ${counts.changedValues} values in ${counts.changedApps} apps.`,
  );
  if (previousKeySet) {
    lines.push(
      `${decrypt ? 'No value needs a key any more' : 'Every value opens with CREDENTIALS_ENCRYPTION_KEY alone'}: ` +
        'remove CREDENTIALS_ENCRYPTION_KEY_PREVIOUS from the configuration of every node.',
    );
  }
  return lines.join('\n');
}
