import { Inject, Injectable, Logger } from '@nestjs/common';
import { platformKeys, PlatformKeys } from '../../common/api-naming';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { CredentialsCipher } from '../../common/crypto/credentials-cipher';
import { PushServerError } from '../../common/errors/push-server.error';
import { PowerAuthClient } from '../../common/powerauth/powerauth.client';
import { requireNotBlank } from '../../common/validation/require-field';
import { PageRequest } from '../../common/validation/page-query';
import { isUniqueViolation } from '../../database/database-errors';
import { AppCredentialsStatusRepository } from './app-credentials-status.repository';
import { AppCredentialsRepository } from './app-credentials.repository';
import { checkApnsPrivateKey, checkFcmServiceAccount, decodeBase64Secret } from './credential-checks';
import {
  AppIdRequest,
  ApplicationDetailRequest,
  UpdateApnsLegacyRequest,
  UpdateApnsRequest,
  UpdateFcmLegacyRequest,
  UpdateFcmRequest,
  UpdateHmsRequest,
} from './dto/admin.requests';
import { AppCredentialsEntity } from './entities/app-credentials.entity';

const APP_ID_REQUIRED = 'App ID must not be null.';

interface ApnsCredentials {
  appId: string;
  bundle: string;
  keyId: string;
  teamId: string;
  environment: string | null;
  privateKeyBase64: string;
}

/** Push applications and their provider credentials (`/admin/app/*`). Secrets go in, never out. */
@Injectable()
export class AdminService {
  private readonly logger = new Logger('AdminService');
  private readonly keys: PlatformKeys;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly apps: AppCredentialsRepository,
    private readonly cipher: CredentialsCipher,
    private readonly powerAuth: PowerAuthClient,
    private readonly credentialsStatus: AppCredentialsStatusRepository,
  ) {
    this.keys = platformKeys(config.apiNaming);
  }

  async list(page: PageRequest) {
    const summaries = await this.apps.listSummaries(page);
    return {
      applicationList: summaries.map((app) => ({
        appId: app.appId,
        [this.keys.apns]: app.hasApns,
        [this.keys.fcm]: app.hasFcm,
        [this.keys.hms]: app.hasHms,
      })),
    };
  }

  /** PowerAuth applications that have no push configuration yet, one page of them in PowerAuth's order. */
  async listUnconfigured(page: PageRequest) {
    if (!this.powerAuth.configured) return { applicationList: [] };
    let powerAuthApps: string[];
    try {
      powerAuthApps = await this.powerAuth.listApplicationIds();
    } catch {
      throw PushServerError.generic(
        'Unconfigured application list failed because application name could not be retrieved',
      );
    }
    const configured = new Set(await this.apps.listAppIds());
    const unconfigured = powerAuthApps.filter((id) => !configured.has(id));
    return {
      applicationList: unconfigured.slice(page.offset, page.offset + page.size).map((appId) => ({ appId })),
    };
  }

  async detail(request: ApplicationDetailRequest) {
    const app = await this.findApp(requireNotBlank(request.appId, APP_ID_REQUIRED));
    const includeApns = request.includeApns ?? request.includeIos ?? false;
    const includeFcm = request.includeFcm ?? request.includeAndroid ?? false;
    const includeHms = request.includeHms ?? request.includeHuawei ?? false;
    const legacy = this.keys.apns === 'ios';
    const failing = await this.credentialsStatus.forApp(app.id);
    return {
      application: {
        appId: app.appId,
        [this.keys.apns]: app.apnsPrivateKey !== null,
        [this.keys.fcm]: app.fcmPrivateKey !== null,
        [this.keys.hms]: app.hmsClientId !== null && app.hmsClientSecret !== null,
      },
      ...(includeApns && {
        [legacy ? 'iosBundle' : 'apnsBundle']: app.apnsBundle,
        [legacy ? 'iosKeyId' : 'apnsKeyId']: app.apnsKeyId,
        [legacy ? 'iosTeamId' : 'apnsTeamId']: app.apnsTeamId,
        [legacy ? 'iosEnvironment' : 'apnsEnvironment']: app.apnsEnvironment,
      }),
      ...(includeFcm && { [legacy ? 'androidProjectId' : 'fcmProjectId']: app.fcmProjectId }),
      ...(includeHms && { [legacy ? 'huaweiProjectId' : 'hmsProjectId']: app.hmsProjectId }),
      ...Object.fromEntries(
        failing.map((status) => [
          `${this.keys[status.platform as keyof PlatformKeys]}CredentialsFailing`,
          { reason: status.failingReason, since: status.failingSince },
        ]),
      ),
    };
  }

  async create(request: AppIdRequest) {
    const appId = request.appId;
    if (appId === null || appId === undefined) throw PushServerError.generic(APP_ID_REQUIRED);
    if (appId.trim() === '') throw PushServerError.generic('App ID must not be empty.');
    if (await this.apps.findByAppId(appId)) throw PushServerError.generic('Application already exists');
    try {
      await this.apps.insert(appId, new Date());
    } catch (error) {
      if (isUniqueViolation(error)) throw PushServerError.generic('Application already exists');
      throw error;
    }
    this.logger.log(`Application ${appId} created`);
    return { appId };
  }

  updateApns(request: UpdateApnsRequest): Promise<void> {
    return this.saveApns(request);
  }

  updateApnsLegacy(request: UpdateApnsLegacyRequest): Promise<void> {
    const appId = requireNotBlank(request.appId, APP_ID_REQUIRED);
    return this.saveApns({
      appId,
      bundle: requireNotBlank(request.bundle, 'Bundle must not be empty.'),
      keyId: requireNotBlank(request.keyId, 'Key ID must not be empty.'),
      teamId: requireNotBlank(request.teamId, 'Team ID must not be empty.'),
      environment: request.environment ?? null,
      privateKeyBase64: requireNotBlank(request.privateKeyBase64, 'Private key must not be empty.'),
    });
  }

  removeApns(appId: string): Promise<void> {
    return this.change(appId, 'apns', 'APNs removed', {
      apnsPrivateKey: null,
      apnsBundle: null,
      apnsKeyId: null,
      apnsTeamId: null,
      apnsEnvironment: null,
    });
  }

  async updateFcm(request: UpdateFcmRequest): Promise<void> {
    await this.change(request.appId, 'fcm', 'FCM updated', () => {
      const serviceAccount = checkFcmServiceAccount(decodeBase64Secret(request.privateKeyBase64));
      return {
        fcmProjectId: request.projectId,
        fcmPrivateKey: Buffer.from(this.cipher.seal(serviceAccount, 'fcm_private_key'), 'utf8'),
      };
    });
  }

  updateFcmLegacy(request: UpdateFcmLegacyRequest): Promise<void> {
    const appId = requireNotBlank(request.appId, APP_ID_REQUIRED);
    return this.updateFcm({
      appId,
      projectId: requireNotBlank(request.projectId, 'Project ID must not be empty.'),
      privateKeyBase64: requireNotBlank(request.privateKeyBase64, 'Private key must not be empty.'),
    });
  }

  removeFcm(appId: string): Promise<void> {
    return this.change(appId, 'fcm', 'FCM removed', { fcmPrivateKey: null, fcmProjectId: null });
  }

  async updateHms(request: UpdateHmsRequest): Promise<void> {
    await this.change(request.appId, 'hms', 'HMS updated', () => {
      const sealed = this.cipher.seal(request.clientSecret, 'hms_client_secret');
      if (sealed.length > 255) {
        throw PushServerError.generic(
          'HMS client secret is too long to be stored encrypted (at most 150 characters).',
        );
      }
      return { hmsProjectId: request.projectId, hmsClientId: request.clientId, hmsClientSecret: sealed };
    });
  }

  removeHms(appId: string): Promise<void> {
    return this.change(appId, 'hms', 'HMS removed', {
      hmsProjectId: null,
      hmsClientId: null,
      hmsClientSecret: null,
    });
  }

  /** For the hand-validated remove endpoints. */
  requireAppId(request: AppIdRequest): string {
    return requireNotBlank(request.appId, APP_ID_REQUIRED);
  }

  private async saveApns(credentials: ApnsCredentials): Promise<void> {
    await this.change(credentials.appId, 'apns', 'APNs updated', () => {
      const pem = checkApnsPrivateKey(decodeBase64Secret(credentials.privateKeyBase64));
      return {
        apnsBundle: credentials.bundle,
        apnsKeyId: credentials.keyId,
        apnsTeamId: credentials.teamId,
        apnsEnvironment: credentials.environment,
        apnsPrivateKey: Buffer.from(this.cipher.seal(pem, 'apns_private_key'), 'utf8'),
      };
    });
  }

  /**
   * Looks the app up first and only then builds (and checks) the changes, as the original does: an unknown app is
   * answered as unknown even when the uploaded credentials are bad too.
   */
  private async change(
    appId: string,
    platform: 'apns' | 'fcm' | 'hms',
    what: string,
    changes: Partial<AppCredentialsEntity> | (() => Partial<AppCredentialsEntity>),
  ): Promise<void> {
    const app = await this.findApp(appId);
    await this.apps.update(app.id, typeof changes === 'function' ? changes() : changes, new Date());
    // New or removed credentials: whatever a provider said about the old ones no longer applies.
    await this.credentialsStatus.clear(app.id, platform);
    this.logger.log(`Application ${appId}: ${what}`);
  }

  private async findApp(appId: string): Promise<AppCredentialsEntity> {
    const app = await this.apps.findByAppId(appId);
    if (!app)
      throw PushServerError.generic(`Application credentials with entered ID: ${appId} does not exist`);
    return app;
  }
}
