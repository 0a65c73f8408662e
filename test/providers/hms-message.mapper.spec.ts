import {
  buildHmsMessage,
  hmsMessageBytes,
  parseCollapseKey,
  ttlSeconds,
} from '../../src/providers/hms/hms-message.mapper';
import { PushNotification } from '../../src/providers/push-provider';

const NOW = new Date('2025-06-01T12:00:00.000Z');

function notification(overrides: Partial<PushNotification> = {}): PushNotification {
  return { content: {}, silent: false, priority: 'HIGH', ...overrides };
}

/** The notification defaults the original always sends. */
const DEFAULTS = {
  default_sound: false,
  click_action: { type: 3 },
  body_loc_args: [],
  title_loc_args: [],
  auto_cancel: false,
  importance: 'HIGH',
  use_default_vibrate: false,
  use_default_light: false,
  foreground_show: false,
};

describe('buildHmsMessage', () => {
  it('maps a plain notification with the explicit defaults and no null fields', () => {
    const message = buildHmsMessage(
      notification({
        content: {
          title: 'Balance update',
          body: 'Your balance is now $745.00',
          sound: 'default',
          icon: 'ic_balance',
          category: 'balance-update',
        },
      }),
      ['token-1'],
      NOW,
    );
    expect(message).toEqual({
      token: ['token-1'],
      android: {
        notification: {
          ...DEFAULTS,
          title: 'Balance update',
          body: 'Your balance is now $745.00',
          sound: 'default',
          icon: 'ic_balance',
          tag: 'balance-update',
        },
      },
    });
    expect(JSON.stringify(message)).not.toContain('null');
  });

  it('maps the localized fields and NORMAL importance', () => {
    const message = buildHmsMessage(
      notification({
        priority: 'NORMAL',
        content: {
          titleLocKey: 'balance.title',
          titleLocArgs: ['A'],
          bodyLocKey: 'balance.body',
          bodyLocArgs: ['745', 'USD'],
        },
      }),
      ['t'],
      NOW,
    );
    expect(message.android.notification).toEqual({
      ...DEFAULTS,
      importance: 'NORMAL',
      title_loc_key: 'balance.title',
      title_loc_args: ['A'],
      body_loc_key: 'balance.body',
      body_loc_args: ['745', 'USD'],
    });
  });

  it('leaves the notification out of a silent message but keeps data, collapse key and TTL', () => {
    const message = buildHmsMessage(
      notification({
        silent: true,
        content: {
          title: 'ignored',
          badge: 4,
          collapseKey: '7',
          validUntil: new Date(NOW.getTime() + 3_600_000),
          extras: { a: 1 },
        },
      }),
      ['t'],
      NOW,
    );
    expect(message).toEqual({ token: ['t'], data: '{"a":1}', android: { collapse_key: 7, ttl: '3600' } });
  });

  it('sends an empty android object for a silent message without options', () => {
    expect(buildHmsMessage(notification({ silent: true }), ['t'], NOW)).toEqual({
      token: ['t'],
      android: {},
    });
  });

  it('maps the badge to set_num (2.1.0), zero included', () => {
    expect(
      buildHmsMessage(notification({ content: { badge: 3 } }), ['t'], NOW).android.notification?.badge,
    ).toEqual({ set_num: 3 });
    expect(
      buildHmsMessage(notification({ content: { badge: 0 } }), ['t'], NOW).android.notification?.badge,
    ).toEqual({ set_num: 0 });
  });

  it('serializes extras as one JSON string without null values, and omits data when nothing is left', () => {
    const message = buildHmsMessage(
      notification({ content: { extras: { s: 'x', n: 1, b: true, o: { k: [1, null] }, gone: null } } }),
      ['t'],
      NOW,
    );
    expect(message.data).toBe('{"s":"x","n":1,"b":true,"o":{"k":[1,null]}}');
    expect(
      buildHmsMessage(notification({ content: { extras: { gone: null } } }), ['t'], NOW),
    ).not.toHaveProperty('data');
    expect(buildHmsMessage(notification({ content: { extras: {} } }), ['t'], NOW)).not.toHaveProperty('data');
  });

  it('treats null content fields like absent ones', () => {
    const content = { title: null, badge: null, collapseKey: null, validUntil: null, extras: null } as never;
    expect(buildHmsMessage(notification({ content }), ['t'], NOW)).toEqual({
      token: ['t'],
      android: { notification: DEFAULTS },
    });
  });
});

describe('parseCollapseKey', () => {
  it.each([
    ['42', 42],
    ['-1', -1],
    ['+5', 5],
    ['0', 0],
    ['2147483647', 2147483647],
  ])('parses %s', (value, expected) => expect(parseCollapseKey(value)).toBe(expected));

  it.each(['balance-update', '', ' 4', '4.5', '2147483648', '0x1F', '99999999999'])(
    'leaves out the non-numeric or out-of-range %p (the original answered 500)',
    (value) => expect(parseCollapseKey(value)).toBeUndefined(),
  );
});

describe('ttlSeconds', () => {
  it('is the whole seconds until validUntil inside the 28-day window', () => {
    expect(ttlSeconds(new Date(NOW.getTime() + 3_600_999), NOW)).toBe(3600);
    expect(ttlSeconds(new Date(NOW.getTime() + 2_419_199_000), NOW)).toBe(2_419_199);
  });

  it('is absent when validUntil is missing, past, under a second or 28 days away or more', () => {
    expect(ttlSeconds(undefined, NOW)).toBeUndefined();
    expect(ttlSeconds(new Date(NOW.getTime() - 1000), NOW)).toBeUndefined();
    expect(ttlSeconds(new Date(NOW.getTime() + 999), NOW)).toBeUndefined();
    expect(ttlSeconds(new Date(NOW.getTime() + 2_419_200_000), NOW)).toBeUndefined();
  });
});

describe('hmsMessageBytes', () => {
  it('measures the message without its token list', () => {
    const one = buildHmsMessage(notification({ content: { body: 'é' } }), ['a'], NOW);
    const many = buildHmsMessage(
      notification({ content: { body: 'é' } }),
      ['a'.repeat(200), 'b'.repeat(200)],
      NOW,
    );
    expect(hmsMessageBytes(one)).toBe(hmsMessageBytes(many));
    const { token: _token, ...rest } = one;
    expect(hmsMessageBytes(one)).toBe(Buffer.byteLength(JSON.stringify(rest)));
  });
});
