import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConcurrencyLimiter } from '../../common/concurrency/concurrency-limiter';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { ApiCaller } from './api-access';
import { ApiClientRecord, ApiClientRepository } from './api-client.repository';
import { ApiKey, verifySecret } from './api-key';

const MAX_CACHED_KEY_IDS = 10_000;
const MAX_REMEMBERED_FAILURES = 10_000;
const LAST_USED_RESOLUTION_MS = 60_000;
// scrypt runs on libuv's pool (4 threads by default), which file, DNS and zlib work share: at most half of it.
const MAX_CONCURRENT_SCRYPT = 2;

/**
 * Called around the slow check only (a key whose secret is not remembered yet): the guard counts the attempt against
 * the address's failure limit before it runs, so concurrent guesses cannot all start before the first one fails.
 */
export interface SlowCheckGate {
  /** Throws to refuse the check. */
  before(): void;
  /** The check passed: the attempt was not a failure. */
  passed(): void;
}

/**
 * Turns an API key into the client it names. The scrypt check costs tens of milliseconds, so a key that passed it is
 * remembered (as a SHA-256 digest, next to the hash it matched) and later requests compare digests in constant time;
 * a secret that failed is remembered too, so repeating it costs no scrypt. Concurrent checks of the same secret share
 * one scrypt run, and at most MAX_CONCURRENT_SCRYPT run at once. Client rows are re-read after AUTH_CACHE_TTL_MS,
 * which bounds how long a revocation made elsewhere takes to bite.
 */
@Injectable()
export class ApiAuthenticator {
  private readonly logger = new Logger('ApiAuthenticator');
  private readonly clients = new Map<string, LoadedClient>();
  private readonly verified = new Map<string, { secretHash: string; digest: Buffer }>();
  /** `keyId:secretHash:digest` of secrets that failed, until when they are remembered. */
  private readonly failed = new Map<string, number>();
  private readonly checking = new Map<string, Promise<boolean>>();
  private readonly scryptSlots = new ConcurrencyLimiter(MAX_CONCURRENT_SCRYPT);
  private readonly lastUsedWritten = new Map<number, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ApiClientRepository,
  ) {}

  /** The active client the key names, or undefined (unknown key id, revoked, wrong secret). */
  async authenticate(key: ApiKey, gate?: SlowCheckGate, now = Date.now()): Promise<ApiCaller | undefined> {
    const { record: client, caller } = await this.clientOf(key.keyId, now);
    if (!client || !caller || client.timestampRevoked) return undefined;
    const digest = createHash('sha256').update(key.secret).digest();
    const known = this.verified.get(key.keyId);
    const remembered =
      known !== undefined && known.secretHash === client.secretHash && timingSafeEqual(known.digest, digest);
    if (!remembered) {
      const attempt = `${key.keyId}:${client.secretHash}:${digest.toString('base64')}`;
      if ((this.failed.get(attempt) ?? 0) > now) return undefined;
      gate?.before();
      if (!(await this.slowCheck(attempt, key.secret, client.secretHash))) {
        if (this.failed.size >= MAX_REMEMBERED_FAILURES) this.failed.delete(this.failed.keys().next().value!);
        this.failed.set(attempt, now + Math.max(this.config.auth.cacheTtlMs, 1000));
        return undefined;
      }
      gate?.passed();
      this.verified.set(key.keyId, { secretHash: client.secretHash, digest });
    }
    this.noteUse(client.id, now);
    return caller;
  }

  private slowCheck(attempt: string, secret: string, secretHash: string): Promise<boolean> {
    let check = this.checking.get(attempt);
    if (!check) {
      check = this.scryptSlots
        .run(() => verifySecret(secret, secretHash))
        .finally(() => this.checking.delete(attempt));
      this.checking.set(attempt, check);
    }
    return check;
  }

  /** Whether the key id names a client (revoked or not), as its last lookup found. */
  isKnownKeyId(keyId: string): boolean {
    return this.clients.get(keyId)?.record !== undefined;
  }

  /** Forget what this node knows of a key id, after it changed here. */
  forget(keyId: string): void {
    this.clients.delete(keyId);
    this.verified.delete(keyId);
  }

  private async clientOf(keyId: string, now: number): Promise<LoadedClient> {
    const cached = this.clients.get(keyId);
    if (cached && now - cached.loadedAt < this.config.auth.cacheTtlMs) return cached;
    const record = await this.repository.findByKeyId(keyId);
    // Unknown key ids are remembered too, so guessing does not cost a query each; the map stays bounded.
    if (this.clients.size >= MAX_CACHED_KEY_IDS) this.clients.delete(this.clients.keys().next().value!);
    // The caller is built once per load, not per request.
    const loaded: LoadedClient = { record, caller: record && callerOf(record), loadedAt: now };
    this.clients.set(keyId, loaded);
    return loaded;
  }

  // last_used is informational: written at most once a minute per client, off the request's path.
  private noteUse(clientId: number, now: number): void {
    const written = this.lastUsedWritten.get(clientId);
    if (written !== undefined && now - written < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(clientId, now);
    this.repository
      .touchLastUsed(clientId, new Date(now))
      .catch((error: Error) =>
        this.logger.warn(`Could not record the last use of API client ${clientId}: ${error.message}`),
      );
  }
}

interface LoadedClient {
  record?: ApiClientRecord;
  caller?: ApiCaller;
  loadedAt: number;
}

function callerOf(client: ApiClientRecord): ApiCaller {
  return {
    clientId: client.id,
    name: client.name,
    keyId: client.keyId,
    scopes: new Set(client.scopes),
    appIds: client.appIds ? new Set(client.appIds) : undefined,
  };
}
