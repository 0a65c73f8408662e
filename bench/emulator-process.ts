/**
 * The provider emulators in a process of their own, for the benchmarks. In the benchmark's own process they would
 * share its event loop with the callers: every turn spent answering the server's provider requests would be counted
 * as latency of the caller whose response waited behind it, latency the push server did not cause.
 */
import { ChildProcess, fork } from 'node:child_process';
import {
  DemoCredentials,
  ProviderBehaviour,
  ProviderEmulator,
  PushProvider,
} from '../src/emulator/provider-emulator';
import { emulatorEnv } from '../test/support/delivery-fixture';

export type EmulatorBehaviours = Array<[PushProvider, string, ProviderBehaviour]>;

interface Ready {
  env: Record<string, string>;
  credentials: DemoCredentials;
}

export interface EmulatorProcess extends Ready {
  pid: number;
  stop(): Promise<void>;
}

const CHILD_FLAG = '--bench-emulator-child';

/** Starts the emulators (keeping the last `maxRecords` requests) with `behaviours` set, in a child process. */
export async function startEmulatorProcess(
  behaviours: EmulatorBehaviours,
  maxRecords = 1000,
): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(__filename, [CHILD_FLAG], {
    execArgv: [
      '-r',
      require.resolve('../scripts/swc-register.js'),
      // e.g. EMULATOR_NODE_ARGS=--cpu-prof to profile the emulators under a benchmark
      ...(process.env.EMULATOR_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Ready));
    void exited.then(() => reject(new Error('The emulator process exited before it was ready')));
    child.send({ behaviours, maxRecords });
  });
  return {
    ...ready,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function runChild(): Promise<void> {
  const { behaviours, maxRecords } = await new Promise<{
    behaviours: EmulatorBehaviours;
    maxRecords: number;
  }>((resolve) => process.once('message', (message) => resolve(message as never)));
  const emulator = new ProviderEmulator();
  await emulator.start({ maxRecords });
  const credentials = await emulator.generateDemoCredentials();
  for (const [provider, prefix, behaviour] of behaviours) emulator.setBehaviour(provider, prefix, behaviour);
  process.once('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
  // Without the parent the emulators have no purpose (a benchmark that crashed must not leave them running).
  process.once('disconnect', () => void emulator.stop().then(() => process.exit(0)));
  const ready: Ready = { env: emulatorEnv(emulator), credentials };
  process.send!(ready);
}

if (process.argv.includes(CHILD_FLAG)) {
  runChild().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
