import { isIPv4, isIPv6 } from 'node:net';

/**
 * Token buckets by key (a client and scope, or an address), in this process's memory: each node limits what it
 * serves. A bucket holds one second's worth of requests, so a client may burst up to its rate at once.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly maxKeys = 100_000) {}

  /** 0 when the request may go ahead, else the whole seconds until it may. */
  take(key: string, perSecond: number, now = Date.now()): number {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.dropFull(now, perSecond);
      bucket = { tokens: perSecond, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  }

  // Buckets idle long enough to be full again carry no state worth keeping; under a flood of new keys the oldest
  // tenth goes, so one flood cannot wipe every other client's state at once.
  private dropFull(now: number, perSecond: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * perSecond >= perSecond) this.buckets.delete(key);
    }
    dropOldest(this.buckets, this.maxKeys);
  }
}

/** Failed authentications per address in fixed windows. */
export class FailureCounter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** 0 when the address may try, else the whole seconds until its window ends. */
  blockedFor(key: string, now = Date.now()): number {
    const window = this.windows.get(key);
    if (!window || window.endsAt <= now || window.count < this.limit) return 0;
    return Math.max(1, Math.ceil((window.endsAt - now) / 1000));
  }

  record(key: string, now = Date.now()): void {
    const window = this.windows.get(key);
    if (window && window.endsAt > now) {
      window.count += 1;
      return;
    }
    if (this.windows.size >= this.maxKeys) {
      for (const [stale, entry] of this.windows) if (entry.endsAt <= now) this.windows.delete(stale);
      dropOldest(this.windows, this.maxKeys);
    }
    this.windows.set(key, { count: 1, endsAt: now + this.windowMs });
  }

  /** Takes back one failure counted before a check that then succeeded. */
  forgive(key: string, now = Date.now()): void {
    const window = this.windows.get(key);
    if (window && window.endsAt > now && window.count > 0) window.count -= 1;
  }
}

/** Maps keep insertion order: when one is full, its oldest tenth goes. */
function dropOldest<K, V>(map: Map<K, V>, maxKeys: number): void {
  if (map.size < maxKeys) return;
  let excess = map.size - Math.floor(maxKeys * 0.9);
  for (const key of map.keys()) {
    if (excess-- <= 0) break;
    map.delete(key);
  }
}

/**
 * The key an address is limited under: IPv4 as it is, IPv6 by its /64, which one subscriber usually holds whole (so
 * rotating through it gains nothing).
 */
export function addressGroup(address: string): string {
  const bare = address.replace(/%.*$/, '').toLowerCase();
  if (isIPv4(bare) || !isIPv6(bare)) return bare;
  if (bare.startsWith('::ffff:') && isIPv4(bare.slice(7))) return bare.slice(7);
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const parts =
    tail === undefined
      ? headParts
      : [
          ...headParts,
          ...Array<string>(Math.max(0, 8 - headParts.length - tailParts.length)).fill('0'),
          ...tailParts,
        ];
  return `${parts
    .slice(0, 4)
    .map((part) => part.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
