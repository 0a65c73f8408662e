import { maskToken } from '../../common/logging/mask';
import { DeliveryOutcome } from '../push-provider';
import { retryableOutcome } from '../shared/delivery-outcomes';
import { jsonObject } from '../shared/json-body';
import { retryAfterMs } from '../shared/retry-after';

/** Push Kit result codes (the `code` of a send response) that change what happens to a request. */
export const HMS_CODES = {
  success: '80000000',
  partialSuccess: '80100000',
  authError: '80200001',
  authTokenExpired: '80200003',
  noPermission: '80300002',
  allTokensInvalid: '80300007',
  internalError: '81000001',
} as const;

/** What one HTTP answer of the send endpoint means. */
export type HmsSendVerdict =
  | { kind: 'outcomes'; outcomes: DeliveryOutcome[] }
  /** The access token was refused as expired or missing: fetch a new one and repeat the request once. */
  | { kind: 'renew-token'; reason: string; unauthorized: boolean };

export interface HmsHttpAnswer {
  status: number;
  data: unknown;
  headers: Record<string, unknown>;
}

const MAX_PROVIDER_TEXT = 200;

/** Turns a send response into one outcome per token (same order as `tokens`). */
export function classifyHmsSendAnswer(answer: HmsHttpAnswer, tokens: string[]): HmsSendVerdict {
  const body = jsonObject(answer.data);
  const code =
    typeof body?.code === 'string' ? body.code : typeof body?.code === 'number' ? String(body.code) : '';
  const msg = body?.msg;
  const describe = (prefix: string) => `${prefix} ${safeProviderText(msg, tokens)}`.trim();
  const all = (outcome: DeliveryOutcome): HmsSendVerdict => ({
    kind: 'outcomes',
    outcomes: tokens.map(() => ({ ...outcome })),
  });
  const retryable = (reason: string) => retryableOutcome(reason, retryAfterMs(answer.headers['retry-after']));

  switch (code) {
    case HMS_CODES.success: {
      const requestId = typeof body?.requestId === 'string' ? body.requestId : undefined;
      return all(requestId ? { status: 'delivered', providerMessageId: requestId } : { status: 'delivered' });
    }
    case HMS_CODES.partialSuccess: {
      const requestId = typeof body?.requestId === 'string' ? body.requestId : undefined;
      const illegal = illegalTokens(msg);
      return {
        kind: 'outcomes',
        outcomes: tokens.map((token) =>
          illegal.has(token)
            ? { status: 'invalid-token', reason: `HMS ${code} illegal token` }
            : requestId
              ? { status: 'delivered', providerMessageId: requestId }
              : { status: 'delivered' },
        ),
      };
    }
    case HMS_CODES.allTokensInvalid:
      return all({ status: 'invalid-token', reason: describe(`HMS ${code}`) });
    case HMS_CODES.authTokenExpired:
      return { kind: 'renew-token', reason: describe(`HMS ${code}`), unauthorized: false };
    // 80300002: the app has no permission to send; its credentials or Push Kit setup are at fault, not the tokens.
    case HMS_CODES.authError:
    case HMS_CODES.noPermission:
      return all({ status: 'failed', reason: describe(`HMS ${code}`), credentialsFailing: true });
    // Flow control comes as HTTP 503 (handled below); 80300008 means "message too large", which no retry fixes.
    case HMS_CODES.internalError:
      return all(retryable(describe(`HMS ${code}`)));
  }

  if (answer.status === 401) {
    return {
      kind: 'renew-token',
      reason: describe(`HMS HTTP 401${code ? ` ${code}` : ''}`),
      unauthorized: true,
    };
  }
  if (answer.status === 429 || answer.status >= 500) {
    return all(retryable(describe(`HMS HTTP ${answer.status}${code ? ` ${code}` : ''}`)));
  }
  if (code) return all({ status: 'failed', reason: describe(`HMS ${code}`) });
  return all({ status: 'failed', reason: `HMS HTTP ${answer.status} without a result code` });
}

/**
 * Provider text fit for a reason or a log line: shortened, and with every push token of the request masked
 * (Push Kit echoes illegal tokens in `msg`).
 */
export function safeProviderText(value: unknown, tokens: string[] = [], secrets: string[] = []): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  for (const secret of secrets) if (secret) text = text.split(secret).join('***');
  for (const token of tokens) if (token.length > 6) text = text.split(token).join(maskToken(token));
  return text.length > MAX_PROVIDER_TEXT ? `${text.slice(0, MAX_PROVIDER_TEXT)}…` : text;
}

/**
 * The tokens a partial success names. v2 sends `{"illegal_tokens": [...]}` inside the `msg` JSON string; newer
 * answers group them by cause (`{"illegalTokens": {"noRight": [...]}}`).
 */
function illegalTokens(msg: unknown): Set<string> {
  const details = jsonObject(msg);
  const found = new Set<string>();
  const collect = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'string') found.add(item);
    } else if (value && typeof value === 'object') {
      for (const nested of Object.values(value)) collect(nested);
    }
  };
  collect(details?.illegal_tokens);
  collect(details?.illegalTokens);
  return found;
}
