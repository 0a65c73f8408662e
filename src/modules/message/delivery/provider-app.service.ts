import { Injectable, Logger } from '@nestjs/common';
import { CredentialsCipher } from '../../../common/crypto/credentials-cipher';
import { AppCredentialsRepository } from '../../admin/app-credentials.repository';
import { AppCredentialsEntity } from '../../admin/entities/app-credentials.entity';
import { ApnsEnvironment, ProviderApp, ServiceAccount } from '../../../providers/push-provider';

/** An app as the sending pipeline needs it: its internal id, APNs environment and decrypted credentials. */
export interface SendingApp {
  /** push_app_credentials.id */
  id: number;
  /** The app's own APNs environment, or null for the APNS_USE_DEVELOPMENT default. */
  apnsEnvironment: ApnsEnvironment | null;
  provider: ProviderApp;
}

// How long a send trusts the app row it read: credentials changed on any node are used within this time.
const ROW_TTL_MS = 1000;

/**
 * The app of a send: its row is read at most once a second per app (a lookup per request costs more than the send),
 * and the decrypted credentials are rebuilt only when `timestamp_last_updated` moved.
 */
@Injectable()
export class ProviderAppService {
  private readonly logger = new Logger('ProviderAppService');
  private readonly cache = new Map<number, SendingApp>();
  private readonly recent = new Map<string, { app: SendingApp; until: number }>();

  constructor(
    private readonly apps: AppCredentialsRepository,
    private readonly cipher: CredentialsCipher,
  ) {}

  async byAppId(appId: string): Promise<SendingApp | null> {
    const recent = this.recent.get(appId);
    if (recent && recent.until > Date.now()) return recent.app;
    const row = await this.apps.findByAppId(appId);
    if (!row) return null;
    const app = this.snapshot(row);
    this.recent.set(appId, { app, until: Date.now() + ROW_TTL_MS });
    return app;
  }

  async byId(id: number): Promise<SendingApp | null> {
    const row = await this.apps.findById(id);
    return row ? this.snapshot(row) : null;
  }

  private snapshot(row: AppCredentialsEntity): SendingApp {
    const version = `${row.id}:${row.timestampLastUpdated?.getTime() ?? 0}`;
    const cached = this.cache.get(row.id);
    if (cached && cached.provider.credentialsVersion === version) return cached;
    const app: SendingApp = {
      id: row.id,
      apnsEnvironment:
        row.apnsEnvironment === 'development' || row.apnsEnvironment === 'production'
          ? row.apnsEnvironment
          : null,
      provider: {
        appId: row.appId,
        credentialsVersion: version,
        apns: this.apns(row),
        fcm: this.fcm(row),
        hms: this.hms(row),
      },
    };
    this.cache.set(row.id, app);
    return app;
  }

  private apns(row: AppCredentialsEntity): ProviderApp['apns'] {
    if (!row.apnsPrivateKey || !row.apnsKeyId || !row.apnsTeamId || !row.apnsBundle) return undefined;
    const privateKeyPem = this.open(row, row.apnsPrivateKey.toString('utf8'), 'apns_private_key');
    if (privateKeyPem === undefined) return undefined;
    return { keyId: row.apnsKeyId, teamId: row.apnsTeamId, bundle: row.apnsBundle, privateKeyPem };
  }

  private fcm(row: AppCredentialsEntity): ProviderApp['fcm'] {
    if (!row.fcmPrivateKey || !row.fcmProjectId) return undefined;
    const json = this.open(row, row.fcmPrivateKey.toString('utf8'), 'fcm_private_key');
    if (json === undefined) return undefined;
    try {
      return { projectId: row.fcmProjectId, serviceAccount: JSON.parse(json) as ServiceAccount };
    } catch {
      this.logger.error(`App ${row.appId}: the stored FCM service account is not JSON`);
      return undefined;
    }
  }

  private hms(row: AppCredentialsEntity): ProviderApp['hms'] {
    if (!row.hmsProjectId || !row.hmsClientId || !row.hmsClientSecret) return undefined;
    const clientSecret = this.open(row, row.hmsClientSecret, 'hms_client_secret');
    if (clientSecret === undefined) return undefined;
    return { projectId: row.hmsProjectId, clientId: row.hmsClientId, clientSecret };
  }

  private open(row: AppCredentialsEntity, stored: string, column: string): string | undefined {
    try {
      return this.cipher.open(stored, column);
    } catch (error) {
      this.logger.error(`App ${row.appId}: ${(error as Error).message}`);
      return undefined;
    }
  }
}
