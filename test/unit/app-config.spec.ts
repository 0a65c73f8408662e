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

  it('runs the provider adapters in one worker thread unless PROVIDER_THREADS says otherwise', () => {
    expect(loadConfig({}).providers.threads).toBe(1);
    expect(loadConfig({ PROVIDER_THREADS: '0' }).providers.threads).toBe(0);
    expect(loadConfig({ PROVIDER_THREADS: '3' }).providers.threads).toBe(3);
    expect(() => loadConfig({ PROVIDER_THREADS: '17' })).toThrow(ConfigError);
    expect(() => loadConfig({ PROVIDER_THREADS: 'two' })).toThrow(ConfigError);
  });

  it('strips a trailing slash from the PowerAuth URL', () => {
    expect(
      loadConfig({ POWERAUTH_SERVICE_URL: 'http://pa:8080/powerauth-java-server/rest/' }).powerAuth.url,
    ).toBe('http://pa:8080/powerauth-java-server/rest');
  });

  describe('security settings', () => {
    it('defaults to API keys, rate limits on, no CORS, no trusted proxy, 1 MB bodies', () => {
      const config = loadConfig({});
      expect(config.auth).toEqual({
        mode: 'api-key',
        bootstrapApiKey: undefined,
        cacheTtlMs: 5000,
        failureLimit: 20,
        failureWindowSeconds: 60,
      });
      expect(config.rateLimits).toEqual({
        enabled: true,
        perAddress: 2000,
        perScope: {
          admin: 50,
          device: 1000,
          push: 2000,
          campaign: 100,
          inbox: 1000,
          'status-callback': 1000,
          metrics: 10,
        },
      });
      expect(config.http).toEqual({ corsOrigins: [], trustProxy: false });
      expect(config.bodyLimitBytes).toBe(1024 * 1024);
      expect(config.campaignUserBodyLimitBytes).toBe(16 * 1024 * 1024);
    });

    it('reads every setting', () => {
      const config = loadConfig({
        AUTH_CACHE_TTL_MS: '0',
        AUTH_FAILURE_LIMIT: '3',
        AUTH_FAILURE_WINDOW_SECONDS: '1',
        BOOTSTRAP_API_KEY: 'ops-admin.0123456789abcdef0123456789abcdef',
        RATE_LIMIT_ENABLED: 'false',
        RATE_LIMIT_ADDRESS_PER_SECOND: '7',
        RATE_LIMIT_ADMIN_PER_SECOND: '1',
        RATE_LIMIT_DEVICE_PER_SECOND: '2',
        RATE_LIMIT_PUSH_PER_SECOND: '3',
        RATE_LIMIT_CAMPAIGN_PER_SECOND: '4',
        RATE_LIMIT_INBOX_PER_SECOND: '5',
        RATE_LIMIT_STATUS_CALLBACK_PER_SECOND: '6',
        RATE_LIMIT_METRICS_PER_SECOND: '8',
        CORS_ORIGINS: 'https://console.example.com, HTTP://Localhost:3000/',
        TRUST_PROXY: 'loopback, 10.0.0.0/8,192.168.1.7',
        HTTP_BODY_LIMIT_BYTES: '2048',
        CAMPAIGN_USER_BODY_LIMIT_BYTES: '4096',
      });
      expect(config.auth).toEqual({
        mode: 'api-key',
        bootstrapApiKey: 'ops-admin.0123456789abcdef0123456789abcdef',
        cacheTtlMs: 0,
        failureLimit: 3,
        failureWindowSeconds: 1,
      });
      expect(config.rateLimits).toEqual({
        enabled: false,
        perAddress: 7,
        perScope: {
          admin: 1,
          device: 2,
          push: 3,
          campaign: 4,
          inbox: 5,
          'status-callback': 6,
          metrics: 8,
        },
      });
      // Origins as browsers send them: lower case, no trailing slash.
      expect(config.http).toEqual({
        corsOrigins: ['https://console.example.com', 'http://localhost:3000'],
        trustProxy: 'loopback,10.0.0.0/8,192.168.1.7',
      });
      expect([config.bodyLimitBytes, config.campaignUserBodyLimitBytes]).toEqual([2048, 4096]);
    });

    it.each([
      ['true', true],
      ['TRUE', true],
      ['false', false],
      ['2', 2],
      ['uniquelocal', 'uniquelocal'],
      ['::1, fd00::/8', '::1,fd00::/8'],
      ['10.0.0.0/255.0.0.0', '10.0.0.0/255.0.0.0'],
    ])('reads TRUST_PROXY=%s', (value, expected) => {
      expect(loadConfig({ TRUST_PROXY: value }).http.trustProxy).toBe(expected);
    });

    it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])(
      'allows AUTH_MODE=none on the loopback address %s',
      (host) => {
        expect(loadConfig({ AUTH_MODE: 'none', HOST: host }).auth.mode).toBe('none');
      },
    );

    it.each(['0.0.0.0', '::', '10.1.2.3', 'push.example.com'])(
      'refuses AUTH_MODE=none on %s unless AUTH_ALLOW_UNAUTHENTICATED=true',
      (host) => {
        expect(() => loadConfig({ AUTH_MODE: 'none', HOST: host })).toThrow(
          `Invalid configuration: AUTH_MODE is none while HOST (${host}) is not a loopback address: anyone who ` +
            'reaches the port could push to every device. Put the server behind a gateway that authenticates and ' +
            'set AUTH_ALLOW_UNAUTHENTICATED=true, or use AUTH_MODE=api-key',
        );
        expect(
          loadConfig({ AUTH_MODE: 'none', HOST: host, AUTH_ALLOW_UNAUTHENTICATED: 'true' }).auth.mode,
        ).toBe('none');
        // The flag alone does not turn authentication off.
        expect(loadConfig({ HOST: host, AUTH_ALLOW_UNAUTHENTICATED: 'true' }).auth.mode).toBe('api-key');
      },
    );

    it.each([
      ['AUTH_MODE', 'open', 'AUTH_MODE must be one of api-key, none (got "open")'],
      [
        'AUTH_ALLOW_UNAUTHENTICATED',
        'perhaps',
        'AUTH_ALLOW_UNAUTHENTICATED must be true or false (got "perhaps")',
      ],
      ['AUTH_CACHE_TTL_MS', '-1', 'AUTH_CACHE_TTL_MS must be between 0 and 3600000 (got -1)'],
      ['AUTH_CACHE_TTL_MS', '5s', 'AUTH_CACHE_TTL_MS must be a whole number (got "5s")'],
      ['AUTH_FAILURE_LIMIT', '0', 'AUTH_FAILURE_LIMIT must be between 1 and 1000000 (got 0)'],
      ['AUTH_FAILURE_WINDOW_SECONDS', '0', 'AUTH_FAILURE_WINDOW_SECONDS must be between 1 and 86400 (got 0)'],
      ['RATE_LIMIT_ENABLED', 'sometimes', 'RATE_LIMIT_ENABLED must be true or false (got "sometimes")'],
      [
        'RATE_LIMIT_ADDRESS_PER_SECOND',
        '0',
        'RATE_LIMIT_ADDRESS_PER_SECOND must be between 1 and 1000000 (got 0)',
      ],
      [
        'RATE_LIMIT_PUSH_PER_SECOND',
        'fast',
        'RATE_LIMIT_PUSH_PER_SECOND must be a whole number (got "fast")',
      ],
      [
        'RATE_LIMIT_STATUS_CALLBACK_PER_SECOND',
        '2.5',
        'RATE_LIMIT_STATUS_CALLBACK_PER_SECOND must be a whole number (got "2.5")',
      ],
      ['HTTP_BODY_LIMIT_BYTES', '100', 'HTTP_BODY_LIMIT_BYTES must be between 1024 and 1073741824 (got 100)'],
      [
        'CAMPAIGN_USER_BODY_LIMIT_BYTES',
        '1mb',
        'CAMPAIGN_USER_BODY_LIMIT_BYTES must be a whole number (got "1mb")',
      ],
      [
        'CORS_ORIGINS',
        '*',
        'CORS_ORIGINS must be a comma-separated list of origins like https://console.example.com, without a path ' +
          '(got "*")',
      ],
      [
        'CORS_ORIGINS',
        'https://ok.example.com,https://console.example.com/app',
        'CORS_ORIGINS must be a comma-separated list of origins like https://console.example.com, without a path ' +
          '(got "https://console.example.com/app")',
      ],
      [
        'CORS_ORIGINS',
        'console.example.com',
        'CORS_ORIGINS must be a comma-separated list of origins like https://console.example.com, without a path ' +
          '(got "console.example.com")',
      ],
      [
        'TRUST_PROXY',
        'yes-please',
        'TRUST_PROXY must be true, false, a hop count or a comma-separated list of addresses, subnets (10.0.0.0/8) ' +
          'or the names loopback, linklocal, uniquelocal (got "yes-please")',
      ],
      [
        'TRUST_PROXY',
        '10.0.0.0/33',
        'TRUST_PROXY must be true, false, a hop count or a comma-separated list of addresses, subnets (10.0.0.0/8) ' +
          'or the names loopback, linklocal, uniquelocal (got "10.0.0.0/33")',
      ],
    ])('rejects %s=%s with a clear message', (name, value, message) => {
      expect(() => loadConfig({ [name]: value })).toThrow(`Invalid configuration: ${message}`);
    });

    it.each([
      'admin.too-short',
      'no-dot-0123456789abcdef0123456789abcdef',
      'a.0123456789abcdef0123456789abcdef',
    ])('rejects BOOTSTRAP_API_KEY=%s without echoing it', (value) => {
      try {
        loadConfig({ BOOTSTRAP_API_KEY: value });
        throw new Error('accepted');
      } catch (error) {
        expect((error as Error).message).toMatch(
          /^Invalid configuration: BOOTSTRAP_API_KEY must be <keyId>\.<secret>: a key id of 3 to 64 letters/,
        );
        expect((error as Error).message).not.toContain(value);
      }
    });
  });
});
