import { ConcurrencyLimiter } from '../../src/common/concurrency/concurrency-limiter';

describe('ConcurrencyLimiter', () => {
  it('runs at most `limit` tasks at once, in arrival order', async () => {
    const limiter = new ConcurrencyLimiter(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter
          .run(async () => {
            started.push(i);
            running++;
            peak = Math.max(peak, running);
            await new Promise((resolve) => setTimeout(resolve, 1 + (i % 3)));
            running--;
            if (i === 7) throw new Error('task failed');
            return i;
          })
          .catch(() => -1),
      ),
    );
    expect(peak).toBe(3);
    expect(started).toEqual([...started].sort((a, b) => a - b));
    expect(results[7]).toBe(-1);
    expect(results[19]).toBe(19);
    expect(limiter.inFlight).toBe(0);
  });

  it('queues a task that arrives as a slot is freed behind the tasks already waiting', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const order: string[] = [];
    let release!: () => void;
    const first = limiter.run(async () => {
      order.push('first');
      await new Promise<void>((resolve) => (release = resolve));
    });
    const waiter = limiter.run(async () => {
      order.push('waiter');
    });
    await Promise.resolve();
    release();
    // Arrives after the slot was freed, before the waiter has started.
    const newcomer = limiter.run(async () => {
      order.push('newcomer');
    });
    await Promise.all([first, waiter, newcomer]);
    expect(order).toEqual(['first', 'waiter', 'newcomer']);
    expect(limiter.inFlight).toBe(0);
  });
});
