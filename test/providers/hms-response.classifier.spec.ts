import { classifyHmsSendAnswer, safeProviderText } from '../../src/providers/hms/hms-response.classifier';

const TOKENS = ['token-aaaaaaaaaa-1', 'token-bbbbbbbbbb-2', 'token-cccccccccc-3'];

function answer(status: number, data: unknown, headers: Record<string, unknown> = {}) {
  return { status, data, headers };
}

describe('classifyHmsSendAnswer', () => {
  it('80000000: every token delivered with the request ID', () => {
    expect(
      classifyHmsSendAnswer(answer(200, { code: '80000000', msg: 'Success', requestId: 'r1' }), TOKENS),
    ).toEqual({
      kind: 'outcomes',
      outcomes: TOKENS.map(() => ({ status: 'delivered', providerMessageId: 'r1' })),
    });
  });

  it('80100000: the illegal tokens are invalid, the others delivered (v2 and grouped forms)', () => {
    const v2 = JSON.stringify({ success: 2, failure: 1, illegal_tokens: [TOKENS[1]] });
    expect(
      classifyHmsSendAnswer(answer(200, { code: '80100000', msg: v2, requestId: 'r2' }), TOKENS),
    ).toEqual({
      kind: 'outcomes',
      outcomes: [
        { status: 'delivered', providerMessageId: 'r2' },
        { status: 'invalid-token', reason: 'HMS 80100000 illegal token' },
        { status: 'delivered', providerMessageId: 'r2' },
      ],
    });
    const grouped = JSON.stringify({
      illegalTokens: { noRight: [TOKENS[0]], tokenFormatError: [TOKENS[2]] },
    });
    const verdict = classifyHmsSendAnswer(answer(200, { code: '80100000', msg: grouped }), TOKENS);
    expect(verdict.kind === 'outcomes' && verdict.outcomes.map((o) => o.status)).toEqual([
      'invalid-token',
      'delivered',
      'invalid-token',
    ]);
  });

  it('80300007: every token invalid, and the reason masks echoed tokens', () => {
    const verdict = classifyHmsSendAnswer(
      answer(400, { code: '80300007', msg: `invalid: ${TOKENS[0]}` }),
      TOKENS,
    );
    expect(verdict).toEqual({
      kind: 'outcomes',
      outcomes: TOKENS.map(() => ({ status: 'invalid-token', reason: 'HMS 80300007 invalid: …aaaa-1' })),
    });
  });

  it('80200003 and a bare 401 ask for a new access token; 80200001 is a credential failure', () => {
    expect(
      classifyHmsSendAnswer(answer(401, { code: '80200003', msg: 'Oauth Token expired.' }), TOKENS),
    ).toEqual({
      kind: 'renew-token',
      reason: 'HMS 80200003 Oauth Token expired.',
      unauthorized: false,
    });
    expect(classifyHmsSendAnswer(answer(401, ''), TOKENS)).toMatchObject({
      kind: 'renew-token',
      unauthorized: true,
    });
    expect(
      classifyHmsSendAnswer(answer(401, { code: '80200001', msg: 'Oauth authentication error' }), TOKENS),
    ).toEqual({
      kind: 'outcomes',
      outcomes: TOKENS.map(() => ({
        status: 'failed',
        reason: 'HMS 80200001 Oauth authentication error',
        credentialsFailing: true,
      })),
    });
  });

  it('80300002: the app may not send, so its credentials are failing and the tokens are kept', () => {
    expect(
      classifyHmsSendAnswer(
        answer(403, {
          code: '80300002',
          msg: 'The current app does not have the permission to send messages',
        }),
        TOKENS.slice(0, 2),
      ),
    ).toEqual({
      kind: 'outcomes',
      outcomes: [0, 1].map(() => ({
        status: 'failed',
        reason: 'HMS 80300002 The current app does not have the permission to send messages',
        credentialsFailing: true,
      })),
    });
  });

  it.each([
    [429, {}, 'HMS HTTP 429'],
    [503, { code: '80300009', msg: 'Flow control' }, 'HMS HTTP 503 80300009 Flow control'],
    [503, { code: '81000001', msg: 'Flow control' }, 'HMS 81000001 Flow control'],
    [500, { code: '81000001', msg: 'System internal error' }, 'HMS 81000001 System internal error'],
    [502, '<html>bad gateway</html>', 'HMS HTTP 502'],
  ])('HTTP %i %j is retryable', (status, data, reason) => {
    expect(classifyHmsSendAnswer(answer(status, data, { 'retry-after': '7' }), TOKENS.slice(0, 1))).toEqual({
      kind: 'outcomes',
      outcomes: [{ status: 'retryable', reason, retryAfterMs: 7000 }],
    });
  });

  it('any other code fails with the code and message; a codeless error fails with the HTTP status', () => {
    expect(classifyHmsSendAnswer(answer(400, { code: '80100003', msg: 'Illegal payload' }), ['t'])).toEqual({
      kind: 'outcomes',
      outcomes: [{ status: 'failed', reason: 'HMS 80100003 Illegal payload' }],
    });
    // Push Kit's 80300008 is "message body too large", not flow control: no retry can fix it.
    expect(classifyHmsSendAnswer(answer(413, { code: '80300008', msg: 'too large' }), ['t'])).toEqual({
      kind: 'outcomes',
      outcomes: [{ status: 'failed', reason: 'HMS 80300008 too large' }],
    });
    expect(classifyHmsSendAnswer(answer(404, 'not found'), ['t'])).toEqual({
      kind: 'outcomes',
      outcomes: [{ status: 'failed', reason: 'HMS HTTP 404 without a result code' }],
    });
  });
});

describe('safeProviderText', () => {
  it('masks tokens and secrets and shortens long text', () => {
    expect(safeProviderText('bad secret-value for token-aaaaaaaaaa-1', TOKENS, ['secret-value'])).toBe(
      'bad *** for …aaaa-1',
    );
    expect(safeProviderText('x'.repeat(500)).length).toBe(201);
  });
});
