/** Runs at most `limit` tasks at once; the others wait in order. */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next task, so `running` never drops below the queue's needs.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
