import { addressGroup, FailureCounter, RateLimiter } from '../../src/modules/auth/rate-limiter';

describe('RateLimiter', () => {
  it('lets a key burst up to its rate, then answers the whole seconds to wait', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('client:1:push', 2, 0)).toBe(0);
    expect(limiter.take('client:1:push', 2, 10)).toBe(0);
    expect(limiter.take('client:1:push', 2, 20)).toBe(1);
    expect(limiter.take('client:1:push', 2, 30)).toBe(1);
  });

  it('refills at the rate: a token every 1/rate seconds', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('k', 2, 0)).toBe(0);
    expect(limiter.take('k', 2, 0)).toBe(0);
    expect(limiter.take('k', 2, 400)).toBe(1);
    // 0.8 tokens by 400 ms (the refused request took none), 1.0 by 500 ms.
    expect(limiter.take('k', 2, 500)).toBe(0);
    expect(limiter.take('k', 2, 500)).toBe(1);
  });

  it('does not bank more than one second of requests while idle', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('k', 3, 0)).toBe(0);
    const later = 60_000;
    expect([1, 2, 3, 4].map(() => limiter.take('k', 3, later))).toEqual([0, 0, 0, 1]);
  });

  it('answers longer waits for slow rates', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('k', 1, 0)).toBe(0);
    expect(limiter.take('k', 1, 0)).toBe(1);
    expect(limiter.take('k', 1, 999)).toBe(1);
    expect(limiter.take('k', 1, 1000)).toBe(0);
  });

  it('keeps keys apart', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('client:1:push', 1, 0)).toBe(0);
    expect(limiter.take('client:1:push', 1, 0)).toBe(1);
    expect(limiter.take('client:1:admin', 1, 0)).toBe(0);
    expect(limiter.take('client:2:push', 1, 0)).toBe(0);
    expect(limiter.take('address:10.0.0.1', 1, 0)).toBe(0);
  });

  it('stays bounded under a flood of new keys, forgetting only what carries no state first', () => {
    const limiter = new RateLimiter(2);
    expect(limiter.take('busy', 1, 0)).toBe(0);
    expect(limiter.take('idle', 1, 0)).toBe(0);
    // By 1 s both buckets are full again, so both go; `busy` starts afresh.
    expect(limiter.take('new', 1, 1000)).toBe(0);
    expect(limiter.take('busy', 1, 1000)).toBe(0);
    expect(limiter.take('busy', 1, 1000)).toBe(1);
    // Keys with state at the bound: a new key drops the oldest tenth (here one), not everything.
    const flooded = new RateLimiter(10);
    for (const key of 'abcdefghij') flooded.take(key, 1, 0);
    expect(flooded.take('k', 1, 0)).toBe(0);
    expect(flooded.take('a', 1, 0)).toBe(0);
    expect(flooded.take('j', 1, 0)).toBe(1);
  });
});

describe('FailureCounter', () => {
  it('blocks an address after `limit` failures until its window ends', () => {
    const failures = new FailureCounter(3, 10_000);
    expect(failures.blockedFor('10.0.0.1', 0)).toBe(0);
    failures.record('10.0.0.1', 0);
    failures.record('10.0.0.1', 1000);
    expect(failures.blockedFor('10.0.0.1', 1000)).toBe(0);
    failures.record('10.0.0.1', 2000);
    // The window opened with the first failure, at 0.
    expect(failures.blockedFor('10.0.0.1', 2000)).toBe(8);
    expect(failures.blockedFor('10.0.0.1', 9500)).toBe(1);
    expect(failures.blockedFor('10.0.0.1', 9999)).toBe(1);
    expect(failures.blockedFor('10.0.0.1', 10_000)).toBe(0);
  });

  it('counts each address on its own', () => {
    const failures = new FailureCounter(1, 1000);
    failures.record('10.0.0.1', 0);
    expect(failures.blockedFor('10.0.0.1', 0)).toBe(1);
    expect(failures.blockedFor('10.0.0.2', 0)).toBe(0);
  });

  it('starts a fresh window after the last one ended', () => {
    const failures = new FailureCounter(2, 1000);
    failures.record('a', 0);
    failures.record('a', 999);
    expect(failures.blockedFor('a', 999)).toBe(1);
    failures.record('a', 1000);
    expect(failures.blockedFor('a', 1000)).toBe(0);
    failures.record('a', 1500);
    expect(failures.blockedFor('a', 1500)).toBe(1);
    expect(failures.blockedFor('a', 2000)).toBe(0);
  });

  it('takes back a failure counted before a check that passed', () => {
    const failures = new FailureCounter(2, 1000);
    failures.record('a', 0);
    failures.record('a', 0);
    expect(failures.blockedFor('a', 10)).toBe(1);
    failures.forgive('a', 10);
    expect(failures.blockedFor('a', 10)).toBe(0);
  });

  it('stays bounded: ended windows go first, then the oldest', () => {
    const failures = new FailureCounter(1, 1000, 2);
    failures.record('old', 0);
    failures.record('current', 1500);
    failures.record('new', 1600);
    expect(failures.blockedFor('old', 1600)).toBe(0);
    expect(failures.blockedFor('current', 1600)).toBe(1);
    expect(failures.blockedFor('new', 1600)).toBe(1);
    failures.record('newest', 1700);
    expect(failures.blockedFor('current', 1700)).toBe(0);
    expect(failures.blockedFor('newest', 1700)).toBe(1);
  });
});

describe('addressGroup', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:0:0:9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s is limited as %s', (address, group) => {
    expect(addressGroup(address)).toBe(group);
  });
});
