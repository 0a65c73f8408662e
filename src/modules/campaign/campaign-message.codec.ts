import { PushServerError } from '../../common/errors/push-server.error';
import { PushMessageBodyDto } from '../message/dto/message.requests';

/** push_campaign.message is VARCHAR(4000): characters (code points) on PostgreSQL and MySQL. */
export const CAMPAIGN_MESSAGE_MAX = 4000;

/** PushMessageBody's fields in the order the original's Jackson writes them. */
const FIELDS = [
  'title',
  'titleLocKey',
  'titleLocArgs',
  'body',
  'bodyLocKey',
  'bodyLocArgs',
  'badge',
  'sound',
  'icon',
  'category',
  'collapseKey',
  'validUntil',
  'extras',
] as const;

/**
 * The JSON stored in push_campaign.message: the known fields in the original's order, nulls left out, `validUntil`
 * as Java's `Instant.toString()` (`2016-10-12T11:20:04Z`), so PowerAuth nodes sharing the database read it as their
 * own. A message that does not fit the column is a 400 violation, before anything is written.
 */
export function encodeCampaignMessage(body: PushMessageBodyDto): string {
  const message: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = body[field];
    if (value === null || value === undefined) continue;
    if (field === 'validUntil') {
      const instant = javaInstant(new Date(value as string));
      if (instant === undefined) {
        throw PushServerError.invalidRequest([
          {
            fieldName: 'requestObject.message.validUntil',
            invalidValue: value,
            hint: 'must be a valid ISO-8601 instant',
          },
        ]);
      }
      message[field] = instant;
    } else {
      message[field] = value;
    }
  }
  const json = JSON.stringify(message);
  const length = codePoints(json);
  if (length > CAMPAIGN_MESSAGE_MAX) {
    throw PushServerError.invalidRequest([
      {
        fieldName: 'requestObject.message',
        hint: `JSON must be at most ${CAMPAIGN_MESSAGE_MAX} characters (got ${length})`,
      },
    ]);
  }
  return json;
}

/**
 * A stored message as the API answers it and the sender takes it: the known fields only (as Jackson ignores the
 * rest), nulls left out. Reads the original's pretty-printed JSON too.
 */
export function decodeCampaignMessage(json: string): PushMessageBodyDto {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw PushServerError.generic('Failed parsing from JSON');
  }
  const stored = parsed as Record<string, unknown>;
  const message: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = stored[field];
    if (value !== null && value !== undefined) message[field] = value;
  }
  return message as PushMessageBodyDto;
}

/** `Instant.toString()` of a millisecond instant: no fraction when it is zero. */
function javaInstant(date: Date): string | undefined {
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A surrogate pair is one character.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) i++;
    count++;
  }
  return count;
}
