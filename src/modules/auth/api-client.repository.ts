import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApiClientEntity } from './entities/api-client.entity';
import { ApiScope, isApiScope } from './api-scopes';

/** An API client as the rest of the server uses it; never carries the hash out of this module's services. */
export interface ApiClientRecord {
  id: number;
  name: string;
  keyId: string;
  secretHash: string;
  scopes: ApiScope[];
  appIds?: string[];
  timestampCreated: Date;
  timestampRotated: Date | null;
  timestampLastUsed: Date | null;
  timestampRevoked: Date | null;
}

export interface NewApiClient {
  name: string;
  keyId: string;
  secretHash: string;
  scopes: ApiScope[];
  appIds?: string[];
}

@Injectable()
export class ApiClientRepository {
  constructor(@InjectRepository(ApiClientEntity) private readonly repository: Repository<ApiClientEntity>) {}

  async findByKeyId(keyId: string): Promise<ApiClientRecord | undefined> {
    const row = await this.repository.findOneBy({ keyId });
    return row ? toRecord(row) : undefined;
  }

  async findByName(name: string): Promise<ApiClientRecord | undefined> {
    const row = await this.repository.findOneBy({ name });
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<ApiClientRecord[]> {
    return (await this.repository.find({ order: { id: 'ASC' } })).map(toRecord);
  }

  count(): Promise<number> {
    return this.repository.count();
  }

  async insert(client: NewApiClient, now = new Date()): Promise<ApiClientRecord> {
    const row = await this.repository.save(
      this.repository.create({
        name: client.name,
        keyId: client.keyId,
        secretHash: client.secretHash,
        scopes: client.scopes.join(','),
        appIds: client.appIds ? JSON.stringify(client.appIds) : null,
        timestampCreated: now,
        timestampRotated: null,
        timestampLastUsed: null,
        timestampRevoked: null,
      }),
    );
    return toRecord(row);
  }

  /** A new secret for an active client; false when it is missing or revoked. */
  async replaceSecret(id: number, secretHash: string, now = new Date()): Promise<boolean> {
    const result = await this.repository.update(
      { id, timestampRevoked: IsNull() },
      { secretHash, timestampRotated: now },
    );
    return (result.affected ?? 0) > 0;
  }

  /** False when it is missing or was already revoked. */
  async revoke(id: number, now = new Date()): Promise<boolean> {
    const result = await this.repository.update(
      { id, timestampRevoked: IsNull() },
      { timestampRevoked: now },
    );
    return (result.affected ?? 0) > 0;
  }

  async touchLastUsed(id: number, now: Date): Promise<void> {
    await this.repository.update({ id }, { timestampLastUsed: now });
  }
}

function toRecord(row: ApiClientEntity): ApiClientRecord {
  return {
    id: row.id,
    name: row.name,
    keyId: row.keyId,
    secretHash: row.secretHash,
    scopes: row.scopes.split(',').filter(isApiScope),
    appIds: row.appIds === null ? undefined : (JSON.parse(row.appIds) as string[]),
    timestampCreated: row.timestampCreated,
    timestampRotated: row.timestampRotated,
    timestampLastUsed: row.timestampLastUsed,
    timestampRevoked: row.timestampRevoked,
  };
}
