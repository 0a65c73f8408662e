import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '../database/database-errors';
import { ApiClientRecord, ApiClientRepository } from '../modules/auth/api-client.repository';
import { ApiClientService } from '../modules/auth/api-client.service';
import { ApiKey, formatApiKey, generateApiKey, hashSecret } from '../modules/auth/api-key';
import { ApiScope } from '../modules/auth/api-scopes';
import { AuditService } from '../modules/audit/audit.service';
import { CliError, CliIo, formatDate, formatTable } from './cli-io';

/** `client create | list | rotate | revoke`: API clients, managed from a shell on a machine with database access. */
@Injectable()
export class ClientCommands {
  constructor(
    private readonly clients: ApiClientRepository,
    private readonly creator: ApiClientService,
    private readonly audit: AuditService,
  ) {}

  async create(request: { name: string; scopes: ApiScope[]; appIds?: string[] }, io: CliIo): Promise<void> {
    if (await this.clients.findByName(request.name)) throw duplicate(request.name);
    const key = generateApiKey();
    try {
      await this.creator.create(
        { name: request.name, key, scopes: request.scopes, appIds: request.appIds },
        io.actor,
      );
    } catch (error) {
      // Created by someone else in the meantime.
      if (isUniqueViolation(error) && (await this.clients.findByName(request.name)))
        throw duplicate(request.name);
      throw error;
    }
    io.out(
      [
        `Created API client "${request.name}" (key id ${key.keyId})`,
        `  scopes: ${request.scopes.join(', ')}`,
        `  apps:   ${request.appIds?.join(', ') ?? 'all'}`,
        '',
        ...keyBanner(key),
      ].join('\n'),
    );
  }

  async list(options: { json: boolean }, io: CliIo): Promise<void> {
    const clients = await this.clients.list();
    if (options.json) {
      io.out(JSON.stringify(clients.map(publicView), null, 2));
      return;
    }
    if (clients.length === 0) {
      io.out('No API clients.');
      return;
    }
    io.out(
      formatTable(
        ['NAME', 'KEY ID', 'SCOPES', 'APPS', 'CREATED', 'LAST USED', 'ROTATED', 'REVOKED'],
        clients.map((client) => [
          client.name,
          client.keyId,
          client.scopes.join(','),
          client.appIds?.join(',') ?? 'all',
          formatDate(client.timestampCreated),
          formatDate(client.timestampLastUsed),
          formatDate(client.timestampRotated),
          formatDate(client.timestampRevoked),
        ]),
      ),
    );
  }

  /** A new secret under the same key id: callers change only the secret they send. */
  async rotate(name: string, io: CliIo): Promise<void> {
    const client = await this.existing(name);
    if (client.timestampRevoked) throw revokedCannotRotate(client);
    const key = generateApiKey(client.keyId);
    if (!(await this.clients.replaceSecret(client.id, await hashSecret(key.secret)))) {
      // Revoked by someone else in the meantime.
      throw revokedCannotRotate((await this.clients.findByName(name)) ?? client);
    }
    await this.audit.record({
      action: 'client.rotated',
      cliActor: io.actor,
      resource: `client:${name}`,
      details: { keyId: client.keyId },
    });
    io.out(
      [
        `Rotated the secret of API client "${name}" (key id ${client.keyId}).`,
        'The old secret no longer works; running servers notice within AUTH_CACHE_TTL_MS (5 s by default).',
        '',
        ...keyBanner(key),
      ].join('\n'),
    );
  }

  async revoke(name: string, io: CliIo): Promise<void> {
    const client = await this.existing(name);
    if (client.timestampRevoked || !(await this.clients.revoke(client.id))) {
      const revokedAt = client.timestampRevoked ?? (await this.clients.findByName(name))?.timestampRevoked;
      io.out(`API client "${name}" was already revoked (${formatDate(revokedAt)}); nothing changed.`);
      return;
    }
    await this.audit.record({
      action: 'client.revoked',
      cliActor: io.actor,
      resource: `client:${name}`,
      details: { keyId: client.keyId },
    });
    io.out(
      `Revoked API client "${name}" (key id ${client.keyId}). ` +
        'Running servers refuse its key within AUTH_CACHE_TTL_MS (5 s by default).',
    );
    const admins = (await this.clients.list()).filter(
      (other) => !other.timestampRevoked && other.scopes.includes('admin'),
    );
    if (admins.length === 0) {
      io.err(
        'Warning: no active API client has the admin scope any more. Create one with: ' +
          'client create --name <name> --scopes admin',
      );
    }
  }

  private async existing(name: string): Promise<ApiClientRecord> {
    const client = await this.clients.findByName(name);
    if (!client) throw new CliError(`No API client named "${name}" (see: client list)`);
    return client;
  }
}

/** Printed once, to standard output only: the secret is not stored anywhere it could be read back from. */
function keyBanner(key: ApiKey): string[] {
  const apiKey = formatApiKey(key);
  const basic = Buffer.from(`${key.keyId}:${key.secret}`, 'utf8').toString('base64');
  return [
    'The key is shown only this once. Store it now:',
    '',
    `  API key:    ${apiKey}`,
    `  as Bearer:  Authorization: Bearer ${apiKey}`,
    `  as Basic:   Authorization: Basic ${basic}`,
    `              (user ${key.keyId}, password ${key.secret})`,
    '',
  ];
}

/** What `client list --json` shows: everything but the hash. */
function publicView(client: ApiClientRecord) {
  return {
    name: client.name,
    keyId: client.keyId,
    scopes: client.scopes,
    appIds: client.appIds ?? null,
    created: client.timestampCreated.toISOString(),
    lastUsed: client.timestampLastUsed?.toISOString() ?? null,
    rotated: client.timestampRotated?.toISOString() ?? null,
    revoked: client.timestampRevoked?.toISOString() ?? null,
  };
}

function duplicate(name: string): CliError {
  return new CliError(`An API client named "${name}" already exists (see: client list)`);
}

function revokedCannotRotate(client: ApiClientRecord): CliError {
  return new CliError(
    `API client "${client.name}" was revoked (${formatDate(client.timestampRevoked)}) and cannot be rotated; ` +
      'create a new client instead',
  );
}
