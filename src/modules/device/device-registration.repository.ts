import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { cachedQuery } from '../../database/cached-query';
import { SqlBuilder } from '../../database/sql-builder';
import { DeviceRegistrationEntity } from './entities/device-registration.entity';

export type NewDeviceRegistration = Omit<DeviceRegistrationEntity, 'id'>;

/** What sending needs of a device. */
export type SendableDevice = Pick<
  DeviceRegistrationEntity,
  'id' | 'activationId' | 'userId' | 'platform' | 'pushToken' | 'active' | 'environment'
>;

/** `push_device_registration` queries; `manager` lets a caller run them inside its transaction. */
@Injectable()
export class DeviceRegistrationRepository {
  constructor(
    @InjectRepository(DeviceRegistrationEntity)
    private readonly repository: Repository<DeviceRegistrationEntity>,
  ) {}

  private repo(manager?: EntityManager): Repository<DeviceRegistrationEntity> {
    return manager ? manager.getRepository(DeviceRegistrationEntity) : this.repository;
  }

  findByActivationAndToken(activationId: string, pushToken: string, manager?: EntityManager) {
    return this.repo(manager).find({ where: { activationId, pushToken }, order: { id: 'ASC' } });
  }

  findByActivation(activationId: string, manager?: EntityManager) {
    return this.repo(manager).find({ where: { activationId }, order: { id: 'ASC' } });
  }

  findByAppAndToken(appId: number, pushToken: string, manager?: EntityManager) {
    return this.repo(manager).find({ where: { appId, pushToken }, order: { id: 'ASC' } });
  }

  /** The devices of several users in an app, in one plain query (on the send path, per request). */
  async findForUsers(appId: number, userIds: string[]): Promise<SendableDevice[]> {
    const sql = new SqlBuilder(this.repository.manager.connection);
    const rows = await cachedQuery<Record<string, unknown>>(
      this.repository.manager.connection,
      `SELECT id, activation_id, user_id, platform, push_token, is_active, environment FROM push_device_registration ` +
        `WHERE app_id = ${sql.param(appId)} AND user_id IN (${sql.list([...new Set(userIds)])}) ORDER BY id`,
      sql.parameters,
    );
    return rows.map((row) => ({
      id: Number(row.id),
      activationId: row.activation_id as string | null,
      userId: row.user_id as string | null,
      platform: row.platform as string,
      pushToken: row.push_token as string,
      active: row.is_active === null ? null : row.is_active === true || Number(row.is_active) === 1,
      environment: row.environment as string | null,
    }));
  }

  async insert(device: NewDeviceRegistration, manager?: EntityManager): Promise<number> {
    const result = await this.repo(manager).insert(device);
    return result.identifiers[0].id as number;
  }

  async update(id: number, device: NewDeviceRegistration, manager?: EntityManager): Promise<void> {
    await this.repo(manager).update({ id }, device);
  }

  async deleteByIds(ids: number[], manager?: EntityManager): Promise<void> {
    if (ids.length > 0) await this.repo(manager).delete({ id: In(ids) });
  }

  /** Returns how many rows were deleted. */
  async deleteByAppAndToken(appId: number, pushToken: string): Promise<number> {
    const result = await this.repository.delete({ appId, pushToken });
    return result.affected ?? 0;
  }

  /** `appIds`: only the devices in these apps (push_app_credentials.id); undefined = every app. */
  async setActiveByActivation(activationId: string, active: boolean, appIds?: number[]): Promise<number> {
    if (appIds?.length === 0) return 0;
    const result = await this.repository.update(
      appIds ? { activationId, appId: In(appIds) } : { activationId },
      { active },
    );
    return result.affected ?? 0;
  }
}
