import { PushContent, PushNotification } from '../../../providers/push-provider';
import { PushMessageBodyDto } from '../dto/message.requests';
import { PushMessageContentEntity } from '../entities/push-message-content.entity';

/** The API body as the providers take it: nulls dropped, validUntil parsed. */
export function toPushContent(body: PushMessageBodyDto): PushContent {
  const fields = body as Record<string, unknown>;
  const content: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === null || value === undefined) continue;
    content[key] = key === 'validUntil' ? new Date(value as string) : value;
  }
  return content as PushContent;
}

/** JSON of the content, as stored in push_message_content.body (validUntil as an ISO instant with Z). */
export function encodeContent(content: PushContent): string {
  return JSON.stringify(content);
}

export function decodeNotification(row: PushMessageContentEntity): PushNotification {
  const parsed = JSON.parse(row.body) as Record<string, unknown>;
  const content = { ...parsed } as PushContent;
  if (typeof parsed.validUntil === 'string') content.validUntil = new Date(parsed.validUntil);
  return { content, silent: row.silent, priority: row.priority === 'NORMAL' ? 'NORMAL' : 'HIGH' };
}

const MESSAGE_BODY_MAX = 2048;

/**
 * push_message.message_body (VARCHAR(2048), NOT NULL) keeps the body for PowerAuth's own readers; a longer body is
 * recorded by reference, since the full one is in push_message_content.
 */
export function legacyMessageBody(encoded: string, contentId: number): string {
  return encoded.length <= MESSAGE_BODY_MAX ? encoded : JSON.stringify({ _truncated: true, contentId });
}
