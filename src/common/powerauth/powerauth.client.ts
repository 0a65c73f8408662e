import { Inject, Injectable, Logger } from '@nestjs/common';
import axios, { AxiosInstance } from 'axios';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export type ActivationStatus = 'CREATED' | 'PENDING_COMMIT' | 'ACTIVE' | 'BLOCKED' | 'REMOVED';

const ACTIVATION_STATUSES: readonly string[] = ['CREATED', 'PENDING_COMMIT', 'ACTIVE', 'BLOCKED', 'REMOVED'];

export interface ActivationStatusResult {
  activationId: string;
  activationStatus: ActivationStatus;
  userId?: string;
}

export class PowerAuthUnavailableError extends Error {}

/** An application list of tens of thousands of apps fits many times over. */
const POWERAUTH_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** The PowerAuth Server REST API (`/v3/activation/status`, `/v3/application/list`), with HTTP Basic credentials. */
@Injectable()
export class PowerAuthClient {
  private readonly logger = new Logger('PowerAuthClient');
  private readonly http?: AxiosInstance;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { url, username, password, timeoutMs } = config.powerAuth;
    if (url) {
      this.http = axios.create({
        baseURL: url,
        timeout: timeoutMs,
        auth: username ? { username, password: password ?? '' } : undefined,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        validateStatus: () => true,
        // axios reads any size by default; PowerAuth's answers are small JSON documents.
        maxContentLength: POWERAUTH_MAX_RESPONSE_BYTES,
      });
    }
  }

  get configured(): boolean {
    return this.http !== undefined;
  }

  /** Null when PowerAuth does not know the activation; throws PowerAuthUnavailableError when it cannot answer. */
  async getActivationStatus(activationId: string): Promise<ActivationStatusResult | null> {
    const body = await this.call('/v3/activation/status', { activationId, includeStatusBlob: false });
    const result = body as
      { activationId?: unknown; activationStatus?: unknown; userId?: unknown } | undefined;
    if (
      !result ||
      typeof result.activationStatus !== 'string' ||
      !ACTIVATION_STATUSES.includes(result.activationStatus)
    ) {
      return null;
    }
    return {
      activationId,
      activationStatus: result.activationStatus as ActivationStatus,
      userId: typeof result.userId === 'string' ? result.userId : undefined,
    };
  }

  /** The PowerAuth application IDs. */
  async listApplicationIds(): Promise<string[]> {
    const body = (await this.call('/v3/application/list', {})) as { applications?: unknown } | undefined;
    if (!body || !Array.isArray(body.applications))
      throw new PowerAuthUnavailableError('Unexpected application list');
    return body.applications
      .map(
        (app: { applicationId?: unknown; applicationName?: unknown }) =>
          app?.applicationId ?? app?.applicationName,
      )
      .filter((id): id is string => typeof id === 'string');
  }

  private async call(path: string, requestObject: object): Promise<unknown> {
    if (!this.http) throw new PowerAuthUnavailableError('POWERAUTH_SERVICE_URL is not set');
    let response;
    try {
      response = await this.http.post(path, { requestObject });
    } catch (error) {
      this.logger.warn(`PowerAuth ${path} failed: ${(error as Error).message}`);
      throw new PowerAuthUnavailableError(`PowerAuth ${path} failed`);
    }
    const data = response.data as { status?: unknown; responseObject?: unknown } | undefined;
    if (response.status !== 200 || data?.status !== 'OK') {
      this.logger.warn(`PowerAuth ${path} answered HTTP ${response.status}`);
      throw new PowerAuthUnavailableError(`PowerAuth ${path} answered HTTP ${response.status}`);
    }
    return data.responseObject;
  }
}
