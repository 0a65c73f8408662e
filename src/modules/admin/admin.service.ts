import { Inject, Injectable, Logger } from '@nestjs/common';
import { platformKeys, PlatformKeys } from '../../common/api-naming';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { CredentialsCipher } from '../../common/crypto/credentials-cipher';
import { PushServerError } from '../../common/errors/push-server.error';
import { PowerAuthClient } from '../../common/powerauth/powerauth.client';
import { requireNotBlank } from '../../common/validation/require-field';
import { PageRequest } from '../../common/validation/page-query';
import { isUniqueViolation } from '../../database/database-errors';
import { ApiAccess } from '../auth/api-access';
import { AuditService } from '../audit/audit.service';
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
const PLATFORM_NAMES = { apns: 'APNs', fcm: 'FCM', hms: 'HMS' } as const;

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
    private readonly audit: AuditService,
  ) {
    this.keys = platformKeys(config.apiNaming);
  }

  async list(page: PageRequest, access: ApiAccess) {
    // A restricted client's page is taken from its own apps, so pages stay full.
    const summaries = await this.apps.listSummaries(page, access.caller?.appIds);
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
  async listUnconfigured(page: PageRequest, access: ApiAccess) {
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
    const unconfigured = powerAuthApps.filter((id) => !configured.has(id) && access.mayUse(id));
    return {
      applicationList: unconfigured.slice(page.offset, page.offset + page.size).map((appId) => ({ appId })),
    };
  }

  async detail(request: ApplicationDetailRequest, access: ApiAccess) {
    const app = await this.findApp(requireNotBlank(request.appId, APP_ID_REQUIRED), access);
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

  async create(request: AppIdRequest, access: ApiAccess) {
    const appId = request.appId;
    if (appId === null || appId === undefined) throw PushServerError.generic(APP_ID_REQUIRED);
    if (appId.trim() === '') throw PushServerError.generic('App ID must not be empty.');
    access.assertApp(appId);
    if (await this.apps.findByAppId(appId)) throw PushServerError.generic('Application already exists');
    try {
      await this.apps.insert(appId, new Date());
    } catch (error) {
      if (isUniqueViolation(error)) throw PushServerError.generic('Application already exists');
      throw error;
    }
    this.logger.log(`Application ${appId} created`);
    await this.audit.record({ action: 'app.created', access, appId });
    return { appId };
  }

  updateApns(request: UpdateApnsRequest, access: ApiAccess): Promise<void> {
    return this.saveApns(request, access);
  }

  updateApnsLegacy(request: UpdateApnsLegacyRequest, access: ApiAccess): Promise<void> {
    const appId = requireNotBlank(request.appId, APP_ID_REQUIRED);
    return this.saveApns(
      {
        appId,
        bundle: requireNotBlank(request.bundle, 'Bundle must not be empty.'),
        keyId: requireNotBlank(request.keyId, 'Key ID must not be empty.'),
        teamId: requireNotBlank(request.teamId, 'Team ID must not be empty.'),
        environment: request.environment ?? null,
        privateKeyBase64: requireNotBlank(request.privateKeyBase64, 'Private key must not be empty.'),
      },
      access,
    );
  }

  removeApns(appId: string, access: ApiAccess): Promise<void> {
    return this.change(appId, access, 'apns', 'removed', {
      apnsPrivateKey: null,
      apnsBundle: null,
      apnsKeyId: null,
      apnsTeamId: null,
      apnsEnvironment: null,
    });
  }

  async updateFcm(request: UpdateFcmRequest, access: ApiAccess): Promise<void> {
    await this.change(request.appId, access, 'fcm', { projectId: request.projectId }, () => {
      const serviceAccount = checkFcmServiceAccount(decodeBase64Secret(request.privateKeyBase64));
      return {
        fcmProjectId: request.projectId,
        fcmPrivateKey: Buffer.from(this.cipher.seal(serviceAccount, 'fcm_private_key'), 'utf8'),
      };
    });
  }

  updateFcmLegacy(request: UpdateFcmLegacyRequest, access: ApiAccess): Promise<void> {
    const appId = requireNotBlank(request.appId, APP_ID_REQUIRED);
    return this.updateFcm(
      {
        appId,
        projectId: requireNotBlank(request.projectId, 'Project ID must not be empty.'),
        privateKeyBase64: requireNotBlank(request.privateKeyBase64, 'Private key must not be empty.'),
      },
      access,
    );
  }

  removeFcm(appId: string, access: ApiAccess): Promise<void> {
    return this.change(appId, access, 'fcm', 'removed', { fcmPrivateKey: null, fcmProjectId: null });
  }

  async updateHms(request: UpdateHmsRequest, access: ApiAccess): Promise<void> {
    // The client id names the OAuth client (not a secret); the client secret stays out of the audit log.
    const facts = { projectId: request.projectId, clientId: request.clientId };
    await this.change(request.appId, access, 'hms', facts, () => {
      const sealed = this.cipher.seal(request.clientSecret, 'hms_client_secret');
      if (sealed.length > 255) {
        throw PushServerError.generic(
          'HMS client secret is too long to be stored encrypted (at most 150 characters).',
        );
      }
      return { hmsProjectId: request.projectId, hmsClientId: request.clientId, hmsClientSecret: sealed };
    });
  }

  removeHms(appId: string, access: ApiAccess): Promise<void> {
    return this.change(appId, access, 'hms', 'removed', {
      hmsProjectId: null,
      hmsClientId: null,
      hmsClientSecret: null,
    });
  }

  /** For the hand-validated remove endpoints. */
  requireAppId(request: AppIdRequest): string {
    return requireNotBlank(request.appId, APP_ID_REQUIRED);
  }

  private async saveApns(credentials: ApnsCredentials, access: ApiAccess): Promise<void> {
    const { bundle, keyId, teamId, environment } = credentials;
    await this.change(credentials.appId, access, 'apns', { bundle, keyId, teamId, environment }, () => {
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
   * answered as unknown even when the uploaded credentials are bad too. `facts`: the new credentials' non-secret
   * fields for the audit log, or 'removed'. The audit row is written once the change is stored (the change is not
   * one transaction either): a rejected change leaves none.
   */
  private async change(
    appId: string,
    access: ApiAccess,
    platform: 'apns' | 'fcm' | 'hms',
    facts: Record<string, string | null> | 'removed',
    changes: Partial<AppCredentialsEntity> | (() => Partial<AppCredentialsEntity>),
  ): Promise<void> {
    const app = await this.findApp(appId, access);
    await this.apps.update(app.id, typeof changes === 'function' ? changes() : changes, new Date());
    // New or removed credentials: whatever a provider said about the old ones no longer applies.
    await this.credentialsStatus.clear(app.id, platform);
    this.logger.log(
      `Application ${appId}: ${PLATFORM_NAMES[platform]} ${facts === 'removed' ? 'removed' : 'updated'}`,
    );
    await this.audit.record(
      facts === 'removed'
        ? { action: 'app.credentials.removed', access, appId, details: { platform } }
        : { action: 'app.credentials.updated', access, appId, details: { platform, ...facts } },
    );
  }

  // A client restricted to other apps learns nothing, not even whether the app exists.
  private async findApp(appId: string, access: ApiAccess): Promise<AppCredentialsEntity> {
    access.assertApp(appId);
    const app = await this.apps.findByAppId(appId);
    if (!app)
      throw PushServerError.generic(`Application credentials with entered ID: ${appId} does not exist`);
    return app;
  }
}
