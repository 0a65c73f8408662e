import { InFlightLimiter } from '../../src/providers/apns/in-flight.limiter';

describe('InFlightLimiter', () => {
  it('runs at most `limit` tasks at once, in arrival order', async () => {
    const limiter = new InFlightLimiter(3);
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
});
