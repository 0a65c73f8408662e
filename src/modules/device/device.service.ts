import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { PushServerError } from '../../common/errors/push-server.error';
import { maskToken } from '../../common/logging/mask';
import { ActivationStatus, PowerAuthClient } from '../../common/powerauth/powerauth.client';
import { requireNotBlank, requirePresent } from '../../common/validation/require-field';
import { isUniqueViolation } from '../../database/database-errors';
import { TransactionRunner } from '../../database/transaction-runner';
import { AppCredentialsRepository } from '../admin/app-credentials.repository';
import { ApiAccess } from '../auth/api-access';
import { AuditService } from '../audit/audit.service';
import { DeviceRegistrationRepository, NewDeviceRegistration } from './device-registration.repository';
import {
  CreateDeviceMultiRequest,
  CreateDeviceRequest,
  DeleteDeviceRequest,
  UpdateDeviceStatusRequest,
} from './dto/device.requests';
import { DeviceRegistrationEntity } from './entities/device-registration.entity';

const MESSAGES = {
  appIdRequired: 'App ID must not be null.',
  activationIdRequired: 'Activation ID must not be null.',
  platformRequired: 'Platform must not be null.',
  tokenRequired: 'Push token must not be null or empty.',
  appNotFound: 'Application with given ID does not exist',
  activationNotActive: 'Device registration failed because associated activation is not ACTIVE',
  activationUnknown: 'Device registration failed because activation status is unknown',
  multipleRegistrations:
    'Multiple device registrations found for push token. Use the /push/device/create/multi endpoint for this scenario.',
  multiDisabled: 'Registration of multiple associated activations per device is not enabled.',
  activationListNull: 'Activation ID list must not be null.',
  activationListEmpty: 'Activation ID list must not empty.',
  environmentNotSupported: 'Environment specified for a platform that does not support environment setting.',
  multiFailed: 'Device registration failed',
  userIdRequired: 'User ID must be provided when no PowerAuth Server is configured (POWERAUTH_SERVICE_URL).',
  statusUnknown: 'Update device status failed because activation status is unknown',
} as const;

interface ResolvedActivation {
  status: ActivationStatus;
  userId: string | null;
}

interface Registration {
  appId: number;
  token: string;
  platform: string;
  environment: string | null;
}

/**
 * Device registry (`/push/device/*`) with the original's registration rules: a three-step lookup, update in place,
 * the multi-activation variant, and a retry when two registrations race on a unique index.
 */
@Injectable()
export class DeviceService {
  private readonly logger = new Logger('DeviceService');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly devices: DeviceRegistrationRepository,
    private readonly apps: AppCredentialsRepository,
    private readonly powerAuth: PowerAuthClient,
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async create(request: CreateDeviceRequest, access: ApiAccess): Promise<void> {
    const appId = requireNotBlank(request.appId, MESSAGES.appIdRequired);
    access.assertApp(appId);
    const activationId = requireNotBlank(request.activationId, MESSAGES.activationIdRequired);
    const platform = requirePresent(request.platform, MESSAGES.platformRequired);
    const token = requireNotBlank(request.token, MESSAGES.tokenRequired);
    const app = await this.requireApp(appId);
    const activation = await this.resolveActivation(activationId, request);
    if (activation.status === 'REMOVED') throw PushServerError.generic(MESSAGES.activationNotActive);

    const registration = { appId: app, token, platform, environment: request.environment ?? null };
    await this.withRetry(async () => {
      const rows = await this.lookup(activationId, registration);
      await this.assertReachable(rows, app, access);
      if (rows.length > 1) throw PushServerError.generic(MESSAGES.multipleRegistrations);
      const device = this.deviceRow(activationId, activation, registration);
      if (rows.length === 0) await this.devices.insert(device);
      else await this.devices.update(rows[0].id, device);
    });
    this.logger.log(`Device registered: app ${appId}, activation ${activationId}, token ${maskToken(token)}`);
  }

  async createMulti(request: CreateDeviceMultiRequest, access: ApiAccess): Promise<void> {
    if (!this.config.registration.multipleActivationsEnabled)
      throw PushServerError.generic(MESSAGES.multiDisabled);
    const appId = requireNotBlank(request.appId, MESSAGES.appIdRequired);
    access.assertApp(appId);
    const activationIds = requirePresent(request.activationIds, MESSAGES.activationListNull);
    if (activationIds.length === 0) throw PushServerError.generic(MESSAGES.activationListEmpty);
    for (const id of activationIds) requireNotBlank(id, MESSAGES.activationIdRequired);
    const platform = requirePresent(request.platform, MESSAGES.platformRequired);
    // Checked before the token, as the original; unlike it, the legacy name `ios` (same platform) is accepted.
    const environment = request.environment ?? null;
    if (environment !== null && platform !== 'apns' && platform !== 'ios') {
      throw PushServerError.generic(MESSAGES.environmentNotSupported);
    }
    const token = requireNotBlank(request.token, MESSAGES.tokenRequired);
    const app = await this.requireApp(appId);
    if (!this.powerAuth.configured && !request.userId) throw PushServerError.generic(MESSAGES.userIdRequired);

    const distinct = [...new Set(activationIds)];
    const activations = new Map<string, ResolvedActivation>();
    for (const activationId of distinct) {
      const activation = await this.resolveActivation(activationId, request).catch(() => null);
      if (!activation || activation.status === 'REMOVED') throw PushServerError.generic(MESSAGES.multiFailed);
      activations.set(activationId, activation);
    }

    const registration = { appId: app, token, platform, environment };
    await this.withRetry(() =>
      this.transactions.run(async (manager) => {
        const used = new Set<number>();
        for (const activationId of distinct) {
          const rows = await this.lookup(activationId, registration, manager);
          await this.assertReachable(rows, app, access);
          const device = this.deviceRow(activationId, activations.get(activationId)!, registration);
          if (rows.length === 1 && !used.has(rows[0].id)) {
            await this.devices.update(rows[0].id, device, manager);
            used.add(rows[0].id);
            continue;
          }
          if (rows.length > 1) {
            await this.devices.deleteByIds(
              rows.filter((row) => !used.has(row.id)).map((row) => row.id),
              manager,
            );
          }
          used.add(await this.devices.insert(device, manager));
        }
      }),
    );
    this.logger.log(
      `Device registered for ${distinct.length} activation(s): app ${appId}, token ${maskToken(token)}`,
    );
  }

  async delete(request: DeleteDeviceRequest, access: ApiAccess): Promise<void> {
    // The original checks the app ID first.
    const appId = requireNotBlank(request.appId, MESSAGES.appIdRequired);
    access.assertApp(appId);
    const token = requireNotBlank(request.token, MESSAGES.tokenRequired);
    const app = await this.apps.findIdByAppId(appId);
    if (app === null) return;
    const deleted = await this.devices.deleteByAppAndToken(app, token);
    this.logger.log(`Device deleted: app ${appId}, token ${maskToken(token)}, ${deleted} row(s)`);
    // A delete that found nothing changed nothing: no audit row (the original answers OK either way).
    if (deleted === 0) return;
    await this.audit.record({
      action: 'device.deleted',
      access,
      appId,
      resource: `device:${maskToken(token)}`,
      details: { rows: deleted },
    });
  }

  /** A client restricted to some apps changes only their devices of the activation. */
  async updateStatus(request: UpdateDeviceStatusRequest, access: ApiAccess): Promise<void> {
    const activationId = requireNotBlank(request.activationId, MESSAGES.activationIdRequired);
    let status = request.activationStatus as ActivationStatus | null | undefined;
    if (!status && this.powerAuth.configured) {
      status = (await this.powerAuth.getActivationStatus(activationId).catch(() => null))?.activationStatus;
    }
    if (!status) throw PushServerError.generic(MESSAGES.statusUnknown);
    const appIds = access.caller?.appIds
      ? [...(await this.apps.findIdsByAppIds([...access.caller.appIds])).values()]
      : undefined;
    const updated = await this.devices.setActiveByActivation(activationId, status === 'ACTIVE', appIds);
    this.logger.log(`Activation ${activationId} is ${status}: ${updated} device row(s) updated`);
  }

  /**
   * A registration finds existing rows by activation or token in any app and moves them to its own; a client
   * restricted to some apps must not take a device out of another app that way.
   */
  private async assertReachable(
    rows: DeviceRegistrationEntity[],
    app: number,
    access: ApiAccess,
  ): Promise<void> {
    if (!access.restricted) return;
    for (const row of rows) {
      if (row.appId === app) continue;
      const other = await this.apps.findById(row.appId);
      // Not naming the other app: the caller must not learn which apps exist beyond its own.
      if (other && !access.mayUse(other.appId)) {
        throw new PushServerError(
          'ERROR_FORBIDDEN',
          'API client is not allowed to act on a device of another app',
        );
      }
    }
  }

  private async requireApp(appId: string): Promise<number> {
    const id = await this.apps.findIdByAppId(appId);
    if (id === null) throw PushServerError.generic(MESSAGES.appNotFound);
    return id;
  }

  /** Status and user from the request when it carries both, else from PowerAuth, else a clear error. */
  private async resolveActivation(
    activationId: string,
    request: { activationStatus?: string | null; userId?: string | null },
  ): Promise<ResolvedActivation> {
    const requestStatus = request.activationStatus as ActivationStatus | null | undefined;
    if (requestStatus && request.userId) return { status: requestStatus, userId: request.userId };
    if (!this.powerAuth.configured) {
      if (!request.userId) throw PushServerError.generic(MESSAGES.userIdRequired);
      return { status: requestStatus ?? 'ACTIVE', userId: request.userId };
    }
    const result = await this.powerAuth.getActivationStatus(activationId).catch(() => null);
    if (!result) throw PushServerError.generic(MESSAGES.activationUnknown);
    return { status: result.activationStatus, userId: result.userId ?? request.userId ?? null };
  }

  /** By (activation, token), then by activation, then by (app, token): the first step that finds rows wins. */
  private async lookup(
    activationId: string,
    registration: Registration,
    manager?: EntityManager,
  ): Promise<DeviceRegistrationEntity[]> {
    const byPair = await this.devices.findByActivationAndToken(activationId, registration.token, manager);
    if (byPair.length > 0) return byPair;
    const byActivation = await this.devices.findByActivation(activationId, manager);
    if (byActivation.length > 0) return byActivation;
    return this.devices.findByAppAndToken(registration.appId, registration.token, manager);
  }

  private deviceRow(
    activationId: string,
    activation: ResolvedActivation,
    registration: Registration,
  ): NewDeviceRegistration {
    return {
      activationId,
      userId: activation.userId,
      appId: registration.appId,
      platform: registration.platform,
      pushToken: registration.token,
      timestampLastRegistered: new Date(),
      active: activation.status === 'ACTIVE',
      environment: registration.environment,
    };
  }

  private async withRetry(work: () => Promise<void>): Promise<void> {
    const { retryMaxAttempts, retryBackoffMs } = this.config.registration;
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= retryMaxAttempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryBackoffMs));
      }
    }
  }
}
