import { userInfo } from 'node:os';

/** Where a command writes: secrets go to `out` only, never through the Nest logger. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Who ran the command, for the audit log: `cli:<os user>`. */
  actor: string;
}

/** A failure the user can fix (unknown client, bad value): message on stderr, exit code 1. */
export class CliError extends Error {}

/** The command line itself is wrong (unknown command or option, missing argument): usage hint, exit code 2. */
export class CliUsageError extends Error {}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    actor: cliActor(),
  };
}

export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // No passwd entry, as in some containers run with an arbitrary uid.
    return `cli:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/** Left-aligned columns separated by two spaces, with a header row. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `2025-01-31 12:00:00Z`, or `-` for no date. */
export function formatDate(date: Date | null | undefined): string {
  return date ? `${date.toISOString().slice(0, 19).replace('T', ' ')}Z` : '-';
}
