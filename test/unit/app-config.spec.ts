import { ConfigError, loadConfig } from '../../src/common/config/app-config';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      contextPath: '',
      database: { dialect: 'sqlite', sqlitePath: 'data/push-server.sqlite', migrate: true },
      powerAuth: { url: undefined },
      registration: { multipleActivationsEnabled: false, retryMaxAttempts: 2, retryBackoffMs: 100 },
      apiNaming: 'current',
      apnsUseDevelopment: true,
      bodyLimitBytes: 1048576,
      campaignUserBodyLimitBytes: 16777216,
    });
    expect(config.credentialsEncryptionKey).toBeUndefined();
  });

  it('reads every database URL form', () => {
    expect(loadConfig({ DATABASE_URL: 'mysql://u:p@db:3306/push' }).database.dialect).toBe('mysql');
    expect(loadConfig({ DATABASE_URL: 'mariadb://u:p@db/push' }).database.dialect).toBe('mysql');
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/push' }).database.dialect).toBe('postgres');
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@db/push' }).database.dialect).toBe('postgres');
    expect(loadConfig({ DATABASE_URL: 'sqlite:/var/lib/push.sqlite' }).database.sqlitePath).toBe(
      '/var/lib/push.sqlite',
    );
  });

  it.each([
    ['PORT', 'eighty', 'PORT must be a whole number (got "eighty")'],
    ['PORT', '70000', 'PORT must be between 0 and 65535 (got 70000)'],
    [
      'DATABASE_URL',
      'oracle://x',
      'DATABASE_URL must start with sqlite:, mysql://, mariadb:// or postgres://',
    ],
    ['DATABASE_URL', 'mysql://', 'DATABASE_URL must look like mysql://user:password@host:port/database'],
    ['DATABASE_MIGRATE', 'maybe', 'DATABASE_MIGRATE must be true or false (got "maybe")'],
    ['API_NAMING', 'old', 'API_NAMING must be one of current, legacy (got "old")'],
    [
      'CONTEXT_PATH',
      'push/',
      'CONTEXT_PATH must be empty or a path like /powerauth-push-server (got "push/")',
    ],
    ['POWERAUTH_SERVICE_URL', 'ftp://pa', 'POWERAUTH_SERVICE_URL must be an http(s) URL (got "ftp://pa")'],
    [
      'MULTIPLE_ACTIVATIONS_ENABLED',
      'sure',
      'MULTIPLE_ACTIVATIONS_ENABLED must be true or false (got "sure")',
    ],
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      new ConfigError(name, message.slice(name.length + 1)),
    );
    expect(() => loadConfig({ [name]: value })).toThrow(`Invalid configuration: ${message}`);
  });

  it('accepts a 32-byte encryption key as hex or Base64 and rejects anything else without echoing it', () => {
    const hex = 'ab'.repeat(32);
    expect(loadConfig({ CREDENTIALS_ENCRYPTION_KEY: hex }).credentialsEncryptionKey).toEqual(
      Buffer.from(hex, 'hex'),
    );
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ CREDENTIALS_ENCRYPTION_KEY: b64 }).credentialsEncryptionKey).toEqual(
      Buffer.alloc(32, 7),
    );
    try {
      loadConfig({ CREDENTIALS_ENCRYPTION_KEY: 'too-short-secret' });
      throw new Error('accepted');
    } catch (error) {
      expect((error as Error).message).toMatch(
        /^Invalid configuration: CREDENTIALS_ENCRYPTION_KEY must be 32 random bytes/,
      );
      expect((error as Error).message).not.toContain('too-short-secret');
    }
  });

  it('strips a trailing slash from the PowerAuth URL', () => {
    expect(
      loadConfig({ POWERAUTH_SERVICE_URL: 'http://pa:8080/powerauth-java-server/rest/' }).powerAuth.url,
    ).toBe('http://pa:8080/powerauth-java-server/rest');
  });
});
