import {
  buildFcmMessage,
  fcmPayloadBytes,
  fcmSendRequest,
} from '../../src/providers/fcm/fcm-message.builder';
import { PushContent, PushNotification } from '../../src/providers/push-provider';

const NOW = new Date('2025-03-01T12:00:00.000Z');

function notification(content: PushContent, extra: Partial<PushNotification> = {}): PushNotification {
  return { content, silent: false, priority: 'HIGH', ...extra };
}

const build = (n: PushNotification, dataNotificationOnly = false) =>
  buildFcmMessage(n, { dataNotificationOnly, now: NOW });

describe('buildFcmMessage', () => {
  it('maps a plain notification to android.notification and apns (compat notes 3.2)', () => {
    const message = build(
      notification({
        title: 'Balance update',
        body: 'Your balance is now $745.00',
        sound: 'default',
        icon: 'ic_push',
        category: 'balance-update',
      }),
    );
    expect(message).toEqual({
      android: {
        notification: {
          title: 'Balance update',
          body: 'Your balance is now $745.00',
          icon: 'ic_push',
          sound: 'default',
          tag: 'balance-update',
          notification_priority: 'PRIORITY_HIGH',
        },
      },
      apns: {
        headers: { 'apns-priority': '10', 'apns-push-type': 'alert' },
        payload: {
          aps: {
            alert: { title: 'Balance update', body: 'Your balance is now $745.00' },
            sound: 'default',
            category: 'balance-update',
          },
        },
      },
    });
    expect(fcmSendRequest('tok', message)).toEqual({ message: { token: 'tok', ...message } });
    expect(JSON.stringify(message)).not.toContain('null');
  });

  it('maps localized texts, drops empty args and args without their key', () => {
    const message = build(
      notification({
        titleLocKey: 'title.key',
        titleLocArgs: ['a', 'b'],
        bodyLocKey: 'body.key',
        bodyLocArgs: [],
      }),
    );
    expect(message.android?.notification).toEqual({
      title_loc_key: 'title.key',
      title_loc_args: ['a', 'b'],
      body_loc_key: 'body.key',
      notification_priority: 'PRIORITY_HIGH',
    });
    expect(message.apns.payload.aps.alert).toEqual({
      'title-loc-key': 'title.key',
      'title-loc-args': ['a', 'b'],
      'loc-key': 'body.key',
    });

    const keyless = build(notification({ title: 'T', titleLocArgs: ['x'], bodyLocArgs: ['y'] }));
    expect(keyless.android?.notification).toEqual({ title: 'T', notification_priority: 'PRIORITY_HIGH' });
    expect(keyless.apns.payload.aps.alert).toEqual({ title: 'T' });
  });

  it('maps NORMAL priority, badge, collapse key and silent messages', () => {
    const normal = build(
      notification({ title: 'T', badge: 3, collapseKey: 'group' }, { priority: 'NORMAL' }),
    );
    expect(normal.android).toEqual({
      collapse_key: 'group',
      notification: { title: 'T', notification_priority: 'PRIORITY_DEFAULT', notification_count: 3 },
    });
    expect(normal.apns).toEqual({
      headers: { 'apns-priority': '5', 'apns-push-type': 'alert' },
      payload: { aps: { alert: { title: 'T' }, badge: 3, 'thread-id': 'group' } },
    });

    const silent = build(
      notification(
        { title: 'T', sound: 'default', category: 'c', badge: 0, collapseKey: 'group' },
        { silent: true },
      ),
    );
    expect(silent.android).toEqual({ collapse_key: 'group' });
    // Silent: background push type and priority 5, whatever the requested priority.
    expect(silent.apns).toEqual({
      headers: { 'apns-priority': '5', 'apns-push-type': 'background' },
      payload: { aps: { badge: 0, 'content-available': 1, 'thread-id': 'group' } },
    });
    expect(silent.data).toBeUndefined();
  });

  it('sets android.ttl in real seconds only inside the 28-day window', () => {
    const ttl = (offsetMs: number) =>
      build(notification({ title: 'T', validUntil: new Date(NOW.getTime() + offsetMs) })).android?.ttl;
    expect(ttl(3_600_000)).toBe('3600s');
    expect(ttl(3_600_999)).toBe('3600s');
    expect(ttl(1_000)).toBe('1s');
    expect(ttl(999)).toBeUndefined();
    expect(ttl(-5_000)).toBeUndefined();
    expect(ttl(2_419_199_000)).toBe('2419199s');
    expect(ttl(2_419_200_000)).toBeUndefined();
  });

  it('turns extras into string data values and puts them inside aps', () => {
    const message = build(
      notification({
        title: 'T',
        extras: {
          text: 'hello',
          count: 42,
          ratio: 1.5,
          flag: true,
          nested: { a: 1, b: [1, 'two'] },
          list: [1, 2],
          gone: null,
          alert: 'loses to the standard field',
        },
      }),
    );
    const expected = {
      text: 'hello',
      count: '42',
      ratio: '1.5',
      flag: 'true',
      nested: '{"a":1,"b":[1,"two"]}',
      list: '[1,2]',
      alert: 'loses to the standard field',
    };
    expect(message.data).toEqual(expected);
    expect(message.apns.payload.aps).toEqual({ ...expected, alert: { title: 'T' } });
  });

  it('puts the notification as JSON into data._notification in data-only mode, even when silent', () => {
    const content: PushContent = { title: 'T', body: 'B', badge: 2, extras: { k: 'v' } };
    const dataOnly = build(notification(content), true);
    expect(dataOnly.android).toBeUndefined();
    expect(dataOnly.data).toEqual({
      k: 'v',
      _notification: JSON.stringify({
        title: 'T',
        body: 'B',
        notification_priority: 'PRIORITY_HIGH',
        notification_count: 2,
      }),
    });
    const silent = build(notification(content, { silent: true }), true);
    expect(silent.data?._notification).toBe(dataOnly.data?._notification);
    expect(silent.apns.headers['apns-push-type']).toBe('background');
  });

  it('measures the larger of the Android part and the APNs payload', () => {
    const small = build(notification({ title: 'T', extras: { k: 'v' } }));
    const androidBytes = JSON.stringify({
      data: small.data,
      notification: small.android?.notification,
    }).length;
    const apnsBytes = JSON.stringify(small.apns.payload).length;
    expect(fcmPayloadBytes(small)).toBe(Math.max(androidBytes, apnsBytes));

    const multiByte = build(notification({ body: 'é'.repeat(100) }));
    expect(fcmPayloadBytes(multiByte)).toBeGreaterThan(200);
  });
});
