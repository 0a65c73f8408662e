import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { isIntegrityViolation } from '../../database/database-errors';
import { ApiClientRepository } from './api-client.repository';
import { ApiClientService } from './api-client.service';
import { formatApiKey, generateApiKey, parseApiKey } from './api-key';
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
    private readonly creator: ApiClientService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.auth.mode === 'none') {
      this.logger.warn(
        'AUTH_MODE=none: every route is open without credentials and no client scopes or per-client rate limits ' +
          'apply; run it like this only behind a gateway that authenticates callers',
      );
      return;
    }
    const configured = this.config.auth.bootstrapApiKey;
    if ((await this.clients.count()) > 0) {
      // Setting it on a running installation does nothing; say so rather than leave the operator with a 401.
      if (configured && !(await this.clients.findByKeyId(parseApiKey(configured)!.keyId))) {
        this.logger.warn(
          'BOOTSTRAP_API_KEY is ignored: it only creates the first API client, and clients exist',
        );
      }
      return;
    }
    const key = configured ? parseApiKey(configured)! : generateApiKey();
    try {
      // The same rows as `npm run cli -- client create` writes, by the server itself.
      await this.creator.create(
        { name: BOOTSTRAP_CLIENT_NAME, key, scopes: [...API_SCOPES] },
        BOOTSTRAP_ACTOR,
      );
    } catch (error) {
      // Another node starting on the same database created it first.
      if (isIntegrityViolation(error)) return;
      throw error;
    }
    if (configured) {
      this.logger.log(
        `Created API client ${BOOTSTRAP_CLIENT_NAME} (key id ${key.keyId}) from BOOTSTRAP_API_KEY`,
      );
      return;
    }
    process.stdout.write(bootstrapBanner(key.keyId, formatApiKey(key)));
  }
}

// The key appears once, so the banner is the only copy to clear from a terminal's scrollback.
function bootstrapBanner(keyId: string, apiKey: string): string {
  const rule = '='.repeat(78);
  return [
    rule,
    `First start: created the API client "${BOOTSTRAP_CLIENT_NAME}" with every scope.`,
    'Its key is shown only this once. Store it now, then create narrower clients with: npm run cli -- client create',
    '',
    `  API key: ${apiKey}`,
    '',
    'Send it as "Authorization: Bearer <API key>", or as HTTP Basic with user name ' +
      `${keyId} and the part after the first dot as the password.`,
    rule,
    '',
  ].join('\n');
}
