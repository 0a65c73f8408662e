import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';

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
  apnsUseDevelopment: boolean;
  bodyLimitBytes: number;
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
  return {
    port: read.integer('PORT', 8080, 0, 65535),
    host: read.string('HOST', '127.0.0.1'),
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
    credentialsEncryptionKey: parseEncryptionKey(read.optionalString('CREDENTIALS_ENCRYPTION_KEY')),
    apnsUseDevelopment: read.boolean('APNS_USE_DEVELOPMENT', true),
    bodyLimitBytes: read.integer('HTTP_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
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

function parseEncryptionKey(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(value)
    ? Buffer.from(value, 'hex')
    : /^[A-Za-z0-9+/]{43}=$/.test(value)
      ? Buffer.from(value, 'base64')
      : undefined;
  if (!key || key.length !== 32) {
    throw new ConfigError(
      'CREDENTIALS_ENCRYPTION_KEY',
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
