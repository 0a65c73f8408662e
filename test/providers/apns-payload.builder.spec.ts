import { ApnsPayloadBuilder } from '../../src/providers/apns/apns-payload.builder';
import { PushContent, PushNotification } from '../../src/providers/push-provider';

const builder = new ApnsPayloadBuilder();
const notification = (content: PushContent, extra: Partial<PushNotification> = {}): PushNotification => ({
  content,
  silent: false,
  priority: 'HIGH',
  ...extra,
});

describe('ApnsPayloadBuilder', () => {
  it("builds the original's expected JSON (compat notes §3.1)", () => {
    const request = builder.build(
      'com.example.app',
      notification({
        title: 'Balance update',
        titleLocKey: 'balance.update.title',
        body: 'Your balance is now $745.00',
        bodyLocKey: 'balance.update.body',
        badge: 3,
        sound: 'default',
        icon: 'custom-icon',
        category: 'balance-update',
        collapseKey: 'balance-update',
        extras: { _comment: 'Any custom data.' },
      }),
    );
    expect(JSON.parse(request.body)).toEqual(
      JSON.parse(
        '{"aps":{"badge":3,"alert":{"loc-key":"balance.update.body","body":"Your balance is now $745.00",' +
          '"title":"Balance update","title-loc-key":"balance.update.title"},"sound":"default",' +
          '"category":"balance-update","thread-id":"balance-update"},"_comment":"Any custom data."}',
      ),
    );
    expect(request.headers).toEqual({
      'apns-topic': 'com.example.app',
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-expiration': '0',
      'apns-collapse-id': 'balance-update',
    });
  });

  it('keeps loc args only with their key and when not empty', () => {
    expect(
      builder.payload(
        notification({ titleLocKey: 't', titleLocArgs: ['a', 'b'], bodyLocKey: 'b', bodyLocArgs: [] }),
      ),
    ).toEqual({ aps: { alert: { 'title-loc-key': 't', 'title-loc-args': ['a', 'b'], 'loc-key': 'b' } } });
    expect(builder.payload(notification({ titleLocArgs: ['a'], bodyLocArgs: ['b'], body: 'x' }))).toEqual({
      aps: { alert: { body: 'x' } },
    });
  });

  it('leaves out an empty alert and every absent or null value', () => {
    const content = { title: null, body: null, sound: null, badge: null } as unknown as PushContent;
    expect(builder.payload(notification(content))).toEqual({ aps: {} });
  });

  it('builds a silent push: content-available, badge and thread-id only, background with priority 5', () => {
    const request = builder.build(
      'b',
      notification(
        { title: 'hidden', body: 'hidden', sound: 'default', category: 'c', badge: 0, collapseKey: 'k' },
        { silent: true, priority: 'HIGH' },
      ),
    );
    expect(JSON.parse(request.body)).toEqual({ aps: { 'content-available': 1, badge: 0, 'thread-id': 'k' } });
    expect(request.headers['apns-push-type']).toBe('background');
    // Documented fix: the original kept 10 here, which Apple refuses for background pushes.
    expect(request.headers['apns-priority']).toBe('5');
  });

  it('maps NORMAL priority to 5 and validUntil to epoch seconds', () => {
    const request = builder.build(
      'b',
      notification({ body: 'x', validUntil: new Date('2030-01-02T03:04:05.678Z') }, { priority: 'NORMAL' }),
    );
    expect(request.headers['apns-priority']).toBe('5');
    expect(request.headers['apns-expiration']).toBe(String(Date.UTC(2030, 0, 2, 3, 4, 5) / 1000));
    expect(request.headers).not.toHaveProperty('apns-collapse-id');
  });

  it('puts extras at the top level, drops null ones, keeps nested values and never replaces aps', () => {
    const payload = builder.payload(
      notification({
        body: 'x',
        extras: { gone: null, nested: { a: [1, { b: null }] }, flag: false, n: 0, aps: { evil: true } },
      }),
    );
    expect(payload).toEqual({
      aps: { alert: { body: 'x' } },
      nested: { a: [1, { b: null }] },
      flag: false,
      n: 0,
    });
  });
});
