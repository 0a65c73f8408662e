import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/common/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source-options';

/** Peak resident memory of a process (Linux VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** CPU seconds (user + system) a process has used so far (Linux /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The machine's CPU time so far, in clock ticks: all of it, and what the hypervisor gave other guests (steal). */
export function machineCpuTicks(): { total: number; stolen: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already counted in user)
  return { total: fields.slice(0, 8).reduce((sum, value) => sum + value, 0), stolen: fields[7] ?? 0 };
}

/** The share (%) of the machine's CPU time the hypervisor gave to other guests since `before`. */
export function stolenPercent(before: { total: number; stolen: number }): number {
  const after = machineCpuTicks();
  const total = after.total - before.total;
  return total > 0 ? (100 * (after.stolen - before.stolen)) / total : 0;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A plain connection for setting up rows and polling progress. */
export async function openDatabase(url: string): Promise<DataSource> {
  const options = buildDataSourceOptions(loadConfig({ DATABASE_URL: url }).database);
  return new DataSource({ ...options, entities: [], migrations: [] } as typeof options).initialize();
}

/** Runs `work` for each item with at most `concurrency` at a time; `worker` (0 … concurrency - 1) runs it. */
export async function pool<T>(
  items: T[],
  concurrency: number,
  work: (item: T, worker: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async (_, worker) => {
      while (next < items.length) await work(items[next++], worker);
    }),
  );
}

export function printTable(title: string, rows: Array<[string, string, string]>): void {
  const widths = [0, 1, 2].map((i) =>
    Math.max(...rows.map((row) => row[i].length), ['metric', 'value', 'target'][i].length),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(['metric', 'value', 'target']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}
