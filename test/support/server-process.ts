import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { TEST_API_KEY, TEST_AUTHORIZATION } from './credentials';

const ROOT = join(__dirname, '..', '..');

/**
 * Node flags of the production start (`npm start`, docker/Dockerfile): a heap cap keeps the server's memory flat under
 * load (V8 otherwise grows the heap towards its default limit before collecting), and a larger young generation halves
 * the scavenges a loaded main thread pauses for (docs/decisions.md). test/unit/production-start.spec.ts keeps the
 * three places equal.
 */
export const PRODUCTION_NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=32'];

/** The server as a separate process (src/main.ts), for tests that kill or stop it. */
export class ServerProcess {
  private child?: ChildProcess;
  private output = '';
  /** Everything the process wrote to standard output and to standard error, unfiltered. */
  stdoutText = '';
  stderrText = '';
  readonly exited: Promise<number | null>;
  private resolveExit!: (code: number | null) => void;

  private constructor(readonly url: string) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  /**
   * `built`: run dist/main.js (npm run build) as in production, instead of compiling src on the fly. `host`: the
   * address to listen on (default 127.0.0.1); the readiness probe still goes to 127.0.0.1.
   */
  static async start(
    env: Record<string, string>,
    options: { built?: boolean; host?: string } = {},
  ): Promise<ServerProcess> {
    const server = await ServerProcess.spawn(env, options);
    await server.waitUntilReady();
    return server;
  }

  /** A start expected to fail: waits for the process to exit and answers its exit code and output. */
  static async runToExit(
    env: Record<string, string>,
    options: { host?: string; timeoutMs?: number } = {},
  ): Promise<{ code: number | null; output: string }> {
    const server = await ServerProcess.spawn(env, options);
    const timer = setTimeout(() => server.kill('SIGKILL'), options.timeoutMs ?? 30000);
    const code = await server.exited;
    clearTimeout(timer);
    return { code, output: server.output };
  }

  private static async spawn(
    env: Record<string, string>,
    options: { built?: boolean; host?: string },
  ): Promise<ServerProcess> {
    const port = await freePort();
    const server = new ServerProcess(`http://127.0.0.1:${port}`);
    server.child = spawn(
      process.execPath,
      [
        ...(options.built ? PRODUCTION_NODE_FLAGS : ['-r', join(ROOT, 'scripts', 'swc-register.js')]),
        // After the production flags, so that they can be overridden: e.g. SERVER_NODE_ARGS=--cpu-prof to profile
        // the server under a benchmark
        ...(process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
        options.built ? join(ROOT, 'dist', 'main.js') : join(ROOT, 'src', 'main.ts'),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          LOG_LEVEL: 'warn',
          BOOTSTRAP_API_KEY: TEST_API_KEY,
          RATE_LIMIT_ENABLED: 'false',
          ...env,
          PORT: String(port),
          HOST: options.host ?? '127.0.0.1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer) =>
      (server.output = (
        server.output +
        chunk.toString().replace(/^.*(RouterExplorer|InstanceLoader|RoutesResolver).*\n/gm, '')
      ).slice(-20000));
    server.child.stdout!.on('data', (chunk: Buffer) => {
      server.stdoutText += chunk.toString();
      collect(chunk);
    });
    server.child.stderr!.on('data', (chunk: Buffer) => {
      server.stderrText += chunk.toString();
      collect(chunk);
    });
    server.child.on('exit', (code) => server.resolveExit(code));
    return server;
  }

  /** supertest against the process as its bootstrap admin client. */
  http(): ReturnType<typeof request> {
    return request.agent(this.url).set('Authorization', TEST_AUTHORIZATION) as unknown as ReturnType<
      typeof request
    >;
  }

  /** Headers for fetch() as the bootstrap admin client. */
  get authHeaders(): Record<string, string> {
    return { Authorization: TEST_AUTHORIZATION };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** What the process printed last (for failure messages). */
  get log(): string {
    return this.output;
  }

  kill(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${this.url}/health/ready`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (this.child?.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.kill('SIGKILL');
    throw new Error(`Server did not become ready:\n${this.output}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
