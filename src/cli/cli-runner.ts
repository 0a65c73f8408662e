import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '../common/config/app-config';
import { CliInvocation, parseInvocation, USAGE } from './cli-args';
import { CliError, CliIo, CliUsageError, processIo } from './cli-io';
import { CliModule } from './cli.module';
import { ClientCommands } from './client-commands';
import { CredentialsCommands } from './credentials-commands';

export interface CliOptions {
  /** The environment to read the configuration from; default: the process's, over an optional .env file. */
  env?: Record<string, string | undefined>;
  io?: CliIo;
}

/** Runs one command line and returns its exit code: 0 done, 1 failed, 2 wrong command line. */
export async function runCli(argv: string[], options: CliOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  let invocation: CliInvocation;
  try {
    invocation = parseInvocation(argv);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.err(`${error.message}\nRun "push-server-cli help" for usage.`);
      return 2;
    }
    if (error instanceof CliError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  if (invocation.command === 'help') {
    io.out(USAGE);
    return 0;
  }
  try {
    const config = loadConfig(options.env);
    const context = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
      // Quiet: the commands speak through stdout and stderr. LOG_LEVEL=error silences warnings too.
      logger: config.logLevel === 'error' ? ['fatal', 'error'] : ['fatal', 'error', 'warn'],
      abortOnError: false,
    });
    try {
      await dispatch(invocation, context.get(ClientCommands), context.get(CredentialsCommands), io);
    } finally {
      await context.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof CliError || error instanceof ConfigError) {
      io.err(error.message);
      return 1;
    }
    io.err(`Failed: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

function dispatch(
  invocation: Exclude<CliInvocation, { command: 'help' }>,
  clients: ClientCommands,
  credentials: CredentialsCommands,
  io: CliIo,
): Promise<void> {
  switch (invocation.command) {
    case 'client create':
      return clients.create(invocation, io);
    case 'client list':
      return clients.list(invocation, io);
    case 'client rotate':
      return clients.rotate(invocation.name, io);
    case 'client revoke':
      return clients.revoke(invocation.name, io);
    case 'credentials re-encrypt':
      return credentials.reEncrypt(invocation, io);
  }
}
