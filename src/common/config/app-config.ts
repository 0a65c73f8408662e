import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseDotenv } from 'dotenv';
import { isIP } from 'node:net';
import { API_SCOPES, ApiScope } from '../../modules/auth/api-scopes';

export type DatabaseDialect = 'sqlite' | 'mysql' | 'postgres';
export type ApiNaming = 'current' | 'legacy';

export interface DatabaseConfig {
  dialect: DatabaseDialect;
  /** The URL as configured; may carry a password, so it is never logged. */
  url: string;
  /** SQLite only: the database file path (or ':memory:'). */
  sqlitePath?: string;
  migrate: boolean;
  poolSize: number;
}

export interface PowerAuthConfig {
  url?: string;
  username?: string;
  password?: string;
  timeoutMs: number;
}

export interface ProvidersConfig {
  /** Worker threads the provider adapters run in; 0 = in the main thread (docs/decisions.md: why 1). */
  threads: number;
  /** Extra trusted CA certificates (PEM text of PROVIDER_CA_FILE), for emulators and TLS-inspecting proxies. */
  extraCaPem?: string;
  /** Timeout of one provider request. */
  requestTimeoutMs: number;
  apns: { productionUrl: string; developmentUrl: string; proxyUrl?: string };
  fcm: {
    url: string;
    proxyUrl?: string;
    dataNotificationOnly: boolean;
    maxConnections: number;
    maxStreamsPerConnection: number;
  };
  hms: { tokenUrl: string; pushUrl: string; proxyUrl?: string };
}

export interface SendingConfig {
  maxAttempts: number;
  syncTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Most provider requests in flight at once, per platform. */
  concurrency: { apns: number; fcm: number; hms: number };
  /** How often PENDING rows whose work is not running are picked up again. */
  recoveryIntervalMs: number;
  /** How long a node holds a row it works on before another node may take it over. */
  leaseMs: number;
  /** This node's stable name: after a restart it takes its own unfinished rows back at once. */
  nodeId: string;
}

export interface CampaignConfig {
  /** Devices per second a live campaign send may reach; 0 = as fast as the providers take them. */
  rateLimit: number;
  /** Users read (and their devices recorded) per step of a live send. */
  pageUsers: number;
  /** Live sends running at once on this node. */
  concurrency: number;
}

export interface AuthConfig {
  /** `api-key`: every route but the public probes needs an API client; `none`: no authentication (behind a gateway). */
  mode: 'api-key' | 'none';
  /** `<keyId>.<secret>` of the admin client created on the first start, instead of a generated one. */
  bootstrapApiKey?: string;
  /** How long a verified key and its client row are trusted before the row is read again (revocation delay). */
  cacheTtlMs: number;
  /** Failed authentications one source address may make per window before it gets 429. */
  failureLimit: number;
  failureWindowSeconds: number;
}

export interface RateLimitConfig {
  enabled: boolean;
  /** Requests per second one source address may make, whoever it authenticates as. */
  perAddress: number;
  /** Requests per second one client may make to the routes of each scope. */
  perScope: Record<ApiScope, number>;
}

export interface HttpSecurityConfig {
  /** Origins allowed by CORS; empty = CORS off (no Access-Control headers). */
  corsOrigins: string[];
  /** Fastify `trustProxy`: which X-Forwarded-For hops name the real source address. */
  trustProxy: boolean | number | string;
}

export interface AppConfig {
  port: number;
  host: string;
  /** '' or a path starting with '/', without a trailing slash. */
  contextPath: string;
  database: DatabaseConfig;
  powerAuth: PowerAuthConfig;
  application: { name: string; displayName: string; environment: string };
  registration: { multipleActivationsEnabled: boolean; retryMaxAttempts: number; retryBackoffMs: number };
  apiNaming: ApiNaming;
  /** 32-byte AES-256-GCM key, when encryption of stored provider secrets is on. */
  credentialsEncryptionKey?: Buffer;
  /** The key before the last change: rows it sealed are still read until `cli credentials re-encrypt` runs. */
  credentialsEncryptionKeyPrevious?: Buffer;
  auth: AuthConfig;
  rateLimits: RateLimitConfig;
  http: HttpSecurityConfig;
  apnsUseDevelopment: boolean;
  bodyLimitBytes: number;
  /** Largest body of `/push/campaign/{id}/user/add` and `/user/delete`, which carry up to 100,000 user ids. */
  campaignUserBodyLimitBytes: number;
  providers: ProvidersConfig;
  campaign: CampaignConfig;
  sending: SendingConfig;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the whole configuration once. `source` defaults to the process environment merged over an
 * optional `.env` file in the working folder (the real environment wins).
 */
export function loadConfig(source?: Env, options: { dotenvPath?: string } = {}): AppConfig {
  const env = source ?? readEnvironment(options.dotenvPath ?? '.env');
  const read = new EnvReader(env);

  const contextPath = read.string('CONTEXT_PATH', '');
  if (contextPath !== '' && !/^\/[A-Za-z0-9._~\-/]*[^/]$/.test(contextPath)) {
    throw new ConfigError(
      'CONTEXT_PATH',
      `must be empty or a path like /powerauth-push-server (got "${contextPath}")`,
    );
  }

  const powerAuthUrl = read.optionalUrl('POWERAUTH_SERVICE_URL');
  const host = read.string('HOST', '127.0.0.1');
  return {
    port: read.integer('PORT', 8080, 0, 65535),
    host,
    contextPath,
    database: parseDatabase(read),
    powerAuth: {
      url: powerAuthUrl?.replace(/\/+$/, ''),
      username: read.optionalString('POWERAUTH_SERVICE_USERNAME'),
      password: read.optionalString('POWERAUTH_SERVICE_PASSWORD'),
      timeoutMs: read.integer('POWERAUTH_SERVICE_TIMEOUT_MS', 10000, 100, 600000),
    },
    application: {
      name: read.string('APPLICATION_NAME', 'powerauth-push'),
      displayName: read.string('APPLICATION_DISPLAY_NAME', 'PowerAuth Push Server'),
      environment: read.string('APPLICATION_ENVIRONMENT', ''),
    },
    registration: {
      multipleActivationsEnabled: read.boolean('MULTIPLE_ACTIVATIONS_ENABLED', false),
      retryMaxAttempts: read.integer('REGISTRATION_RETRY_MAX_ATTEMPTS', 2, 1, 20),
      retryBackoffMs: read.integer('REGISTRATION_RETRY_BACKOFF_MS', 100, 0, 60000),
    },
    apiNaming: read.oneOf('API_NAMING', ['current', 'legacy'] as const, 'current'),
    credentialsEncryptionKey: parseEncryptionKey(
      'CREDENTIALS_ENCRYPTION_KEY',
      read.optionalString('CREDENTIALS_ENCRYPTION_KEY'),
    ),
    credentialsEncryptionKeyPrevious: parseEncryptionKey(
      'CREDENTIALS_ENCRYPTION_KEY_PREVIOUS',
      read.optionalString('CREDENTIALS_ENCRYPTION_KEY_PREVIOUS'),
    ),
    auth: parseAuth(read, host),
    rateLimits: {
      enabled: read.boolean('RATE_LIMIT_ENABLED', true),
      perAddress: read.integer('RATE_LIMIT_ADDRESS_PER_SECOND', 2000, 1, 1000000),
      perScope: Object.fromEntries(
        API_SCOPES.map((scope) => [
          scope,
          read.integer(
            `RATE_LIMIT_${scope.toUpperCase().replace(/-/g, '_')}_PER_SECOND`,
            DEFAULT_SCOPE_RATES[scope],
            1,
            1000000,
          ),
        ]),
      ) as Record<ApiScope, number>,
    },
    http: {
      corsOrigins: parseCorsOrigins(read.list('CORS_ORIGINS')),
      trustProxy: parseTrustProxy(read.optionalString('TRUST_PROXY')),
    },
    apnsUseDevelopment: read.boolean('APNS_USE_DEVELOPMENT', true),
    bodyLimitBytes: read.integer('HTTP_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    campaignUserBodyLimitBytes: read.integer(
      'CAMPAIGN_USER_BODY_LIMIT_BYTES',
      16 * 1024 * 1024,
      1024,
      1024 * 1024 * 1024,
    ),
    providers: {
      threads: read.integer('PROVIDER_THREADS', 1, 0, 16),
      extraCaPem: readCaFile(read.optionalString('PROVIDER_CA_FILE')),
      requestTimeoutMs: read.integer('PROVIDER_TIMEOUT_MS', 10000, 100, 600000),
      apns: {
        productionUrl: read.url('APNS_PRODUCTION_URL', 'https://api.push.apple.com'),
        developmentUrl: read.url('APNS_DEVELOPMENT_URL', 'https://api.sandbox.push.apple.com'),
        proxyUrl: read.optionalUrl('APNS_PROXY_URL'),
      },
      fcm: {
        url: read.url('FCM_URL', 'https://fcm.googleapis.com'),
        proxyUrl: read.optionalUrl('FCM_PROXY_URL'),
        dataNotificationOnly: read.boolean('FCM_DATA_NOTIFICATION_ONLY', false),
        maxConnections: read.integer('FCM_MAX_CONNECTIONS', 4, 1, 64),
        maxStreamsPerConnection: read.integer('FCM_MAX_STREAMS_PER_CONNECTION', 100, 1, 1000),
      },
      hms: {
        tokenUrl: read.url('HMS_TOKEN_URL', 'https://oauth-login.cloud.huawei.com/oauth2/v3/token'),
        pushUrl: read.url('HMS_PUSH_URL', 'https://push-api.cloud.huawei.com'),
        proxyUrl: read.optionalUrl('HMS_PROXY_URL'),
      },
    },
    sending: {
      maxAttempts: read.integer('SEND_MAX_ATTEMPTS', 5, 1, 100),
      syncTimeoutMs: read.integer('SYNC_SEND_TIMEOUT_MS', 10000, 0, 600000),
      retryBaseMs: read.integer('SEND_RETRY_BASE_MS', 1000, 1, 3600000),
      retryMaxMs: read.integer('SEND_RETRY_MAX_MS', 300000, 1, 86400000),
      concurrency: {
        apns: read.integer('SEND_CONCURRENCY_APNS', 500, 1, 100000),
        fcm: read.integer('SEND_CONCURRENCY_FCM', 400, 1, 100000),
        hms: read.integer('SEND_CONCURRENCY_HMS', 100, 1, 100000),
      },
      recoveryIntervalMs: read.integer('SEND_RECOVERY_INTERVAL_MS', 30000, 100, 3600000),
      leaseMs: read.integer('SEND_LEASE_MS', 300000, 1000, 86400000),
      nodeId: read.string('NODE_ID', hostname()).slice(0, 48),
    },
    campaign: {
      rateLimit: read.integer('CAMPAIGN_RATE_LIMIT', 0, 0, 1000000),
      pageUsers: read.integer('CAMPAIGN_PAGE_USERS', 500, 1, 10000),
      concurrency: read.integer('CAMPAIGN_CONCURRENCY', 2, 1, 100),
    },
    logLevel: read.oneOf('LOG_LEVEL', ['error', 'warn', 'log', 'debug', 'verbose'] as const, 'log'),
  };
}

function readEnvironment(dotenvPath: string): Env {
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  return { ...fromFile, ...process.env };
}

function parseDatabase(read: EnvReader): DatabaseConfig {
  const url = read.string('DATABASE_URL', 'sqlite:data/push-server.sqlite');
  const migrate = read.boolean('DATABASE_MIGRATE', true);
  const poolSize = read.integer('DATABASE_POOL_SIZE', 10, 1, 500);
  const scheme = url.slice(0, Math.max(0, url.indexOf(':'))).toLowerCase();
  if (scheme === 'sqlite') {
    const sqlitePath = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (sqlitePath === '')
      throw new ConfigError('DATABASE_URL', 'must name a file, e.g. sqlite:data/push-server.sqlite');
    return { dialect: 'sqlite', url, sqlitePath, migrate, poolSize: 1 };
  }
  if (scheme === 'mysql' || scheme === 'mariadb' || scheme === 'postgres' || scheme === 'postgresql') {
    try {
      const parsed = new URL(url);
      if (!parsed.hostname || parsed.pathname.replace(/^\//, '') === '') throw new Error('incomplete');
    } catch {
      throw new ConfigError('DATABASE_URL', `must look like ${scheme}://user:password@host:port/database`);
    }
    return { dialect: scheme.startsWith('postgres') ? 'postgres' : 'mysql', url, migrate, poolSize };
  }
  throw new ConfigError('DATABASE_URL', 'must start with sqlite:, mysql://, mariadb:// or postgres://');
}

function readCaFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError('PROVIDER_CA_FILE', `cannot be read (${path})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError('PROVIDER_CA_FILE', `must be a PEM certificate file (${path})`);
  }
  return pem;
}

/** Requests per second per client and scope; generous, since one push request can reach thousands of devices. */
const DEFAULT_SCOPE_RATES: Record<ApiScope, number> = {
  admin: 50,
  device: 1000,
  push: 2000,
  campaign: 100,
  inbox: 1000,
  'status-callback': 1000,
  metrics: 10,
};

function parseAuth(read: EnvReader, host: string): AuthConfig {
  const mode = read.oneOf('AUTH_MODE', ['api-key', 'none'] as const, 'api-key');
  // Read (and checked) whatever the mode, so a typo is reported before it matters.
  const allowUnauthenticated = read.boolean('AUTH_ALLOW_UNAUTHENTICATED', false);
  if (mode === 'none' && !isLoopback(host) && !allowUnauthenticated) {
    throw new ConfigError(
      'AUTH_MODE',
      `is none while HOST (${host}) is not a loopback address: anyone who reaches the port could push to every ` +
        'device. Put the server behind a gateway that authenticates and set AUTH_ALLOW_UNAUTHENTICATED=true, or use ' +
        'AUTH_MODE=api-key',
    );
  }
  const bootstrapApiKey = read.optionalString('BOOTSTRAP_API_KEY');
  if (
    bootstrapApiKey !== undefined &&
    !/^[A-Za-z0-9_-]{3,64}\.[A-Za-z0-9_~+/=-]{32,256}$/.test(bootstrapApiKey)
  ) {
    throw new ConfigError(
      'BOOTSTRAP_API_KEY',
      'must be <keyId>.<secret>: a key id of 3 to 64 letters, digits, _ or -, a dot, and a secret of at least 32 ' +
        'characters (try: echo "admin.$(openssl rand -hex 32)")',
    );
  }
  return {
    mode,
    bootstrapApiKey,
    cacheTtlMs: read.integer('AUTH_CACHE_TTL_MS', 5000, 0, 3600000),
    failureLimit: read.integer('AUTH_FAILURE_LIMIT', 20, 1, 1000000),
    failureWindowSeconds: read.integer('AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86400),
  };
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare.startsWith('::ffff:127.');
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  const lower = value?.toLowerCase();
  if (lower === undefined || lower === 'false') return false;
  if (lower === 'true') return true;
  if (/^\d+$/.test(lower)) return Number(lower);
  // Fastify (proxy-addr) takes addresses, subnets and the names loopback, linklocal and uniquelocal, comma
  // separated; anything else would only fail later, inside Fastify, with a stack trace.
  const items = lower.split(',').map((item) => item.trim());
  if (!items.every(isTrustedProxy)) {
    throw new ConfigError(
      'TRUST_PROXY',
      'must be true, false, a hop count or a comma-separated list of addresses, subnets (10.0.0.0/8) or the names ' +
        `loopback, linklocal, uniquelocal (got "${value}")`,
    );
  }
  return items.join(',');
}

function isTrustedProxy(item: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(item)) return true;
  const [address, prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (/^\d{1,3}$/.test(prefix)) return Number(prefix) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(prefix) === 4;
}

/** Browser origins are `scheme://host[:port]`; written differently (upper case, a default port) they are normalised. */
function parseCorsOrigins(origins: string[]): string[] {
  return origins.map((origin) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    // `*` or a path would never match a browser's Origin header, and CORS would silently stay shut.
    if (
      !parsed ||
      !/^https?:$/.test(parsed.protocol) ||
      !/^[a-z]+:\/\/[^/?#]+\/?$/i.test(origin) ||
      parsed.username !== '' ||
      parsed.password !== ''
    ) {
      throw new ConfigError(
        'CORS_ORIGINS',
        'must be a comma-separated list of origins like https://console.example.com, without a path ' +
          `(got "${origin}")`,
      );
    }
    return parsed.origin;
  });
}

function parseEncryptionKey(variable: string, value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(value)
    ? Buffer.from(value, 'hex')
    : /^[A-Za-z0-9+/]{43}=$/.test(value)
      ? Buffer.from(value, 'base64')
      : undefined;
  if (!key || key.length !== 32) {
    throw new ConfigError(
      variable,
      'must be 32 random bytes as 64 hex characters or 44 Base64 characters (try: openssl rand -base64 32)',
    );
  }
  return key;
}

class EnvReader {
  constructor(private readonly env: Env) {}

  optionalString(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.optionalString(name) ?? fallback;
  }

  /** Comma separated, blanks dropped. */
  list(name: string): string[] {
    return (this.optionalString(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.optionalString(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be a whole number (got "${value}")`);
    const parsed = Number(value);
    if (parsed < min || parsed > max)
      throw new ConfigError(name, `must be between ${min} and ${max} (got ${parsed})`);
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.optionalString(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === 'true' || value === '1' || value === 'yes') return true;
    if (value === 'false' || value === '0' || value === 'no') return false;
    throw new ConfigError(name, `must be true or false (got "${value}")`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.optionalString(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
    }
    return value as T;
  }

  url(name: string, fallback: string): string {
    return (this.optionalUrl(name) ?? fallback).replace(/\/+$/, '');
  }

  optionalUrl(name: string): string | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new ConfigError(name, `must be an http(s) URL (got "${value}")`);
    }
    return value;
  }
}
