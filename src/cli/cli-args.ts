import { parseArgs } from 'node:util';
import { API_SCOPES, ApiScope, isApiScope } from '../modules/auth/api-scopes';
import { CliError, CliUsageError } from './cli-io';

/** One command line, parsed and checked before anything connects to the database. */
export type CliInvocation =
  | { command: 'help' }
  | { command: 'client create'; name: string; scopes: ApiScope[]; appIds?: string[] }
  | { command: 'client list'; json: boolean }
  | { command: 'client rotate'; name: string }
  | { command: 'client revoke'; name: string }
  | { command: 'credentials re-encrypt'; decrypt: boolean };

export const USAGE = `Usage: push-server-cli <command> [options]
       npm run -s cli -- <command> [options]

Commands:
  client create --name <name> --scopes <scope,...|all> [--apps <appId,...>]
      Creates an API client and prints its key once. Scopes: ${API_SCOPES.join(', ')}; "all" = every scope.
      --apps limits the client to those apps (default: every app).
  client list [--json]
      Lists the API clients (never their secrets).
  client rotate <name>
      Gives the client a new secret (same key id), printed once; the old secret stops working.
  client revoke <name>
      Revokes the client; its key stops working.
  credentials re-encrypt [--decrypt]
      Re-seals every stored provider secret with CREDENTIALS_ENCRYPTION_KEY, reading values sealed with
      CREDENTIALS_ENCRYPTION_KEY_PREVIOUS and encrypting plaintext ones. --decrypt (with CREDENTIALS_ENCRYPTION_KEY
      unset) stores them in plaintext again, turning encryption off.
  help
      Shows this text.

Configuration comes from the environment and .env, as for the server (DATABASE_URL, ...).
Exit codes: 0 done, 1 failed, 2 wrong command line.
`;

const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_APP_ID_LENGTH = 255;

type Options = Record<string, { type: 'string' | 'boolean' }>;
type Values = Record<string, string | boolean | undefined>;

export function parseInvocation(argv: string[]): CliInvocation {
  const [group, action, ...rest] = argv;
  // help, no command, --help, or a group's --help (`client --help`).
  if (
    group === undefined ||
    isHelp(group) ||
    ((group === 'client' || group === 'credentials') && isHelp(action))
  ) {
    return { command: 'help' };
  }
  if (group === 'client') {
    switch (action) {
      case 'create': {
        const parsed = parse('client create', rest, {
          name: { type: 'string' },
          scopes: { type: 'string' },
          apps: { type: 'string' },
        });
        if (!parsed) return { command: 'help' };
        const name = required(parsed.values, 'name', 'client create');
        const scopes = required(parsed.values, 'scopes', 'client create');
        const apps = parsed.values.apps as string | undefined;
        return {
          command: 'client create',
          name: checkName(name),
          scopes: parseScopes(scopes),
          appIds: apps === undefined ? undefined : parseAppIds(apps),
        };
      }
      case 'list': {
        const parsed = parse('client list', rest, { json: { type: 'boolean' } });
        return parsed ? { command: 'client list', json: parsed.values.json === true } : { command: 'help' };
      }
      case 'rotate':
      case 'revoke': {
        const parsed = parse(`client ${action}`, rest, {}, ['name']);
        return parsed ? { command: `client ${action}`, name: parsed.positionals[0] } : { command: 'help' };
      }
    }
    throw new CliUsageError(
      action === undefined
        ? 'client: missing command (create, list, rotate or revoke)'
        : `client: unknown command "${action}" (create, list, rotate or revoke)`,
    );
  }
  if (group === 'credentials') {
    if (action === 're-encrypt') {
      const parsed = parse('credentials re-encrypt', rest, { decrypt: { type: 'boolean' } });
      return parsed
        ? { command: 'credentials re-encrypt', decrypt: parsed.values.decrypt === true }
        : { command: 'help' };
    }
    throw new CliUsageError(
      action === undefined
        ? 'credentials: missing command (re-encrypt)'
        : `credentials: unknown command "${action}" (re-encrypt)`,
    );
  }
  throw new CliUsageError(`Unknown command "${group}" (client, credentials or help)`);
}

function isHelp(argument: string | undefined): boolean {
  return argument === 'help' || argument === '--help' || argument === '-h';
}

/** The values and positionals, or undefined when --help was asked for. */
function parse(
  command: string,
  args: string[],
  options: Options,
  positionalNames: string[] = [],
): { values: Values; positionals: string[] } | undefined {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as { values: Values; positionals: string[] };
  } catch (error) {
    throw new CliUsageError(`${command}: ${(error as Error).message}`);
  }
  if (parsed.values.help === true) return undefined;
  if (parsed.positionals.length < positionalNames.length) {
    throw new CliUsageError(`${command}: missing <${positionalNames[parsed.positionals.length]}>`);
  }
  if (parsed.positionals.length > positionalNames.length) {
    throw new CliUsageError(
      `${command}: unexpected argument "${parsed.positionals[positionalNames.length]}"`,
    );
  }
  return parsed;
}

function required(values: Values, option: string, command: string): string {
  const value = values[option];
  if (typeof value !== 'string') throw new CliUsageError(`${command}: --${option} is required`);
  return value;
}

function checkName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new CliError(
      `Invalid client name "${name}": use 1 to 64 letters, digits, dots, underscores or hyphens`,
    );
  }
  return name;
}

function parseScopes(text: string): ApiScope[] {
  const names = text.split(',').map((scope) => scope.trim());
  if (names.includes('all')) return [...API_SCOPES];
  const unknown = names.filter((scope) => !isApiScope(scope));
  if (unknown.length > 0 || names.length === 0) {
    throw new CliError(
      `Invalid scope${unknown.length > 1 ? 's' : ''} ${unknown.map((scope) => `"${scope}"`).join(', ')}: ` +
        `choose from ${API_SCOPES.join(', ')}, or all`,
    );
  }
  // In the canonical order, each once.
  return API_SCOPES.filter((scope) => names.includes(scope));
}

function parseAppIds(text: string): string[] {
  const appIds = text.split(',').map((appId) => appId.trim());
  if (appIds.some((appId) => appId === '')) {
    throw new CliError('Invalid --apps: list app ids separated by commas, without empty entries');
  }
  const tooLong = appIds.find((appId) => appId.length > MAX_APP_ID_LENGTH);
  if (tooLong) throw new CliError(`Invalid --apps: app id longer than ${MAX_APP_ID_LENGTH} characters`);
  return [...new Set(appIds)];
}
