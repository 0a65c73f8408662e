import { afterCurrentTask } from '../../src/common/concurrency/after-current-task';

/** Calls afterCurrentTask from `start`, and a promise chain three callbacks deep alongside it. */
function scenario(start: (run: () => void) => void): Promise<string[]> {
  const events: string[] = [];
  return new Promise((resolve) =>
    start(() => {
      setImmediate(() => resolve(events.concat('next turn')));
      afterCurrentTask(() => events.push('after the task'));
      void Promise.resolve()
        .then(() => events.push('callback 1'))
        .then(() => Promise.resolve())
        .then(() => events.push('callback 3'));
    }),
  );
}

describe('afterCurrentTask', () => {
  const order = ['callback 1', 'callback 3', 'after the task', 'next turn'];

  it('runs after the promise callbacks of plain code, before the next turn', async () => {
    expect(await scenario((run) => run())).toEqual(order);
  });

  it('does the same when called from a promise callback', async () => {
    expect(await scenario((run) => void Promise.resolve().then(run))).toEqual(order);
  });

  it('does the same inside a setImmediate callback (a group commit), not a turn later', async () => {
    expect(await scenario((run) => setImmediate(run))).toEqual(order);
  });
});
