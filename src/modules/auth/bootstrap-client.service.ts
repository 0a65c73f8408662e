import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { isIntegrityViolation } from '../../database/database-errors';
import { AuditService } from '../audit/audit.service';
import { ApiClientRepository } from './api-client.repository';
import { formatApiKey, generateApiKey, hashSecret, parseApiKey } from './api-key';
import { API_SCOPES } from './api-scopes';

export const BOOTSTRAP_CLIENT_NAME = 'bootstrap-admin';
/** The audit log's actor for the first-start client: the server, not a person or an API client. */
export const BOOTSTRAP_ACTOR = 'server:bootstrap';

/**
 * Secure by default: on the first start in api-key mode, with no API clients at all, creates an admin client with
 * every scope. Its key is BOOTSTRAP_API_KEY, or a generated one printed once to standard output (not through the
 * logger, so it does not reach log files or log shippers).
 */
@Injectable()
export class BootstrapClientService implements OnApplicationBootstrap {
  private readonly logger = new Logger('BootstrapClient');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clients: ApiClientRepository,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.auth.mode !== 'api-key' || (await this.clients.count()) > 0) return;
    const configured = this.config.auth.bootstrapApiKey;
    const key = configured ? parseApiKey(configured)! : generateApiKey();
    try {
      await this.clients.insert({
        name: BOOTSTRAP_CLIENT_NAME,
        keyId: key.keyId,
        secretHash: await hashSecret(key.secret),
        scopes: [...API_SCOPES],
      });
    } catch (error) {
      // Another node starting on the same database created it first.
      if (isIntegrityViolation(error)) return;
      throw error;
    }
    // The same row as `npm run cli -- client create` writes, by the server itself.
    await this.audit.record({
      action: 'client.created',
      cliActor: BOOTSTRAP_ACTOR,
      resource: `client:${BOOTSTRAP_CLIENT_NAME}`,
      details: { keyId: key.keyId, scopes: API_SCOPES.join(','), apps: 'all' },
    });
    if (configured) {
      this.logger.log(
        `Created API client ${BOOTSTRAP_CLIENT_NAME} (key id ${key.keyId}) from BOOTSTRAP_API_KEY`,
      );
      return;
    }
    process.stdout.write(bootstrapBanner(key.keyId, formatApiKey(key), key.secret));
  }
}

function bootstrapBanner(keyId: string, apiKey: string, secret: string): string {
  const rule = '='.repeat(78);
  return [
    rule,
    `First start: created the API client "${BOOTSTRAP_CLIENT_NAME}" with every scope.`,
    'Its key is shown only this once. Store it now, then create narrower clients with: npm run cli -- client create',
    '',
    `  API key:  ${apiKey}`,
    `  as Bearer:  Authorization: Bearer ${apiKey}`,
    `  as Basic:   user ${keyId}, password ${secret}`,
    rule,
    '',
  ].join('\n');
}
