import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUniqueViolation } from '../../database/database-errors';
import { AppCredentialsStatusEntity } from './entities/app-credentials-status.entity';

/** Which apps' credentials a provider refused, per platform. */
@Injectable()
export class AppCredentialsStatusRepository {
  constructor(
    @InjectRepository(AppCredentialsStatusEntity)
    private readonly repository: Repository<AppCredentialsStatusEntity>,
  ) {}

  /** Keeps the first failure's time; the reason is the latest. */
  async markFailing(appCredentialsId: number, platform: string, reason: string, now: Date): Promise<void> {
    const failingReason = reason.slice(0, 1024);
    const updated = await this.repository.update({ appCredentialsId, platform }, { failingReason });
    if (updated.affected) return;
    try {
      await this.repository.insert({ appCredentialsId, platform, failingReason, failingSince: now });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }

  async clear(appCredentialsId: number, platform: string): Promise<void> {
    await this.repository.delete({ appCredentialsId, platform });
  }

  forApp(appCredentialsId: number): Promise<AppCredentialsStatusEntity[]> {
    return this.repository.findBy({ appCredentialsId });
  }

  all(): Promise<AppCredentialsStatusEntity[]> {
    return this.repository.find();
  }
}
