import { SendBatcher } from '../../src/modules/message/delivery/send-batcher';
import {
  DeliveryOutcome,
  DeviceTarget,
  ProviderApp,
  PushNotification,
  PushProvider,
} from '../../src/providers/push-provider';

/** A provider that records each call and answers delivered with the token as message id. */
function recordingProvider(maxTargetsPerRequest: number, fail?: Error) {
  const calls: Array<{ app: string; tokens: string[] }> = [];
  const provider: PushProvider = {
    platform: 'hms',
    maxTargetsPerRequest,
    checkPayload: () => undefined,
    close: async () => undefined,
    send: async (app: ProviderApp, _n: PushNotification, targets: DeviceTarget[]) => {
      calls.push({ app: app.appId, tokens: targets.map((t) => t.token) });
      if (fail) throw fail;
      return targets.map((t): DeliveryOutcome => ({
        status: 'delivered',
        providerMessageId: `id-${t.token}`,
      }));
    },
  };
  return { provider, calls };
}

const app = (appId: string) => ({ appId, credentialsVersion: `${appId}:1` }) as ProviderApp;
const notification = (): PushNotification => ({ content: { title: 'x' }, silent: false, priority: 'HIGH' });

describe('SendBatcher', () => {
  it('sends the devices of one notification started together in one request, each with its own outcome', async () => {
    const { provider, calls } = recordingProvider(1000);
    const batcher = new SendBatcher(provider);
    const n = notification();
    const outcomes = await Promise.all(
      ['t1', 't2', 't3'].map((token) => batcher.send(1, app('a'), n, { token })),
    );
    expect(calls).toEqual([{ app: 'a', tokens: ['t1', 't2', 't3'] }]);
    expect(outcomes.map((o) => (o as { providerMessageId: string }).providerMessageId)).toEqual([
      'id-t1',
      'id-t2',
      'id-t3',
    ]);
  });

  it('joins sends started by promise callbacks of the same task, and sends before the next turn', async () => {
    const { provider, calls } = recordingProvider(1000);
    const batcher = new SendBatcher(provider);
    const n = notification();
    // Started inside an immediate (as after a group commit): the request must not wait for the next turn.
    const requestsAtNextTurn = new Promise<number>((resolve) =>
      setImmediate(() => {
        setImmediate(() => resolve(calls.length));
        void batcher.send(1, app('a'), n, { token: 't1' });
        void Promise.resolve()
          .then(() => Promise.resolve())
          .then(() => batcher.send(1, app('a'), n, { token: 't2' }));
      }),
    );
    expect(await requestsAtNextTurn).toBe(1);
    expect(calls).toEqual([{ app: 'a', tokens: ['t1', 't2'] }]);
  });

  it('keeps apart other notifications and other apps, and splits at the provider limit', async () => {
    const { provider, calls } = recordingProvider(2);
    const batcher = new SendBatcher(provider);
    const [n1, n2] = [notification(), notification()];
    await Promise.all([
      batcher.send(1, app('a'), n1, { token: 'a1' }),
      batcher.send(1, app('a'), n1, { token: 'a2' }),
      batcher.send(1, app('a'), n1, { token: 'a3' }),
      batcher.send(1, app('a'), n2, { token: 'b1' }),
      batcher.send(2, app('c'), n1, { token: 'c1' }),
    ]);
    expect(calls).toEqual([
      { app: 'a', tokens: ['a1', 'a2'] },
      { app: 'a', tokens: ['a3'] },
      { app: 'a', tokens: ['b1'] },
      { app: 'c', tokens: ['c1'] },
    ]);
  });

  it('rejects every caller of a request that throws', async () => {
    const { provider } = recordingProvider(10, new Error('boom'));
    const batcher = new SendBatcher(provider);
    const n = notification();
    const results = await Promise.allSettled([
      batcher.send(1, app('a'), n, { token: 't1' }),
      batcher.send(1, app('a'), n, { token: 't2' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
