import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ApiClientRepository } from './api-client.repository';
import { ApiKey, hashSecret } from './api-key';
import { ApiScope } from './api-scopes';

export interface NewClient {
  name: string;
  key: ApiKey;
  scopes: ApiScope[];
  /** Apps it may act on; undefined = every app. */
  appIds?: string[];
}

/**
 * Creating an API client: the row with the secret's hash, and its `client.created` audit row. The command-line tool
 * and the first start's admin client both go through here. A name or key id already taken throws the database's
 * unique violation, for the caller to answer.
 */
@Injectable()
export class ApiClientService {
  constructor(
    private readonly clients: ApiClientRepository,
    private readonly audit: AuditService,
  ) {}

  async create(client: NewClient, actor: string): Promise<void> {
    await this.clients.insert({
      name: client.name,
      keyId: client.key.keyId,
      secretHash: await hashSecret(client.key.secret),
      scopes: client.scopes,
      appIds: client.appIds,
    });
    await this.audit.record({
      action: 'client.created',
      cliActor: actor,
      resource: `client:${client.name}`,
      details: {
        keyId: client.key.keyId,
        scopes: client.scopes.join(','),
        apps: client.appIds?.join(',') ?? 'all',
      },
    });
  }
}
