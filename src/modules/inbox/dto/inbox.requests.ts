import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Bool, OneOf, Text, TextList, Transformed } from '../../../common/validation/constraints';
import { PageQuery } from '../../../common/validation/page-query';
import { QueryBool } from '../../../common/validation/constraints';

export const INBOX_MESSAGE_TYPES = ['text', 'html'] as const;
/** The original's pattern for an app ID in a posted message. */
export const INBOX_APP_ID_PATTERN = /^[a-zA-Z0-9_-]{3,255}$/;
const ID_MAX = 255;
const SUBJECT_MIN = 8;
const SUBJECT_MAX = 255;
const BODY_MAX = 65536;
// A message belongs to a handful of apps; this bound only stops absurd input (and absurd IN lists).
export const INBOX_APPS_MAX = 100;

/** `applications=a,b` or `applications=a&applications=b` (Spring binds both to a list); blanks dropped. */
function splitAppIds(value: unknown): unknown {
  const parts = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(parts) || !parts.every((part) => typeof part === 'string')) return value;
  return parts
    .flatMap((part: string) => part.split(','))
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** `POST /inbox/messages` (Bean Validation in the original: every problem is a violation). */
export class CreateInboxMessageRequest {
  @ApiProperty({ example: 'user-001' })
  @Text({ notBlank: true, min: 1, max: ID_MAX })
  userId: string;

  @ApiProperty({ enum: INBOX_MESSAGE_TYPES, description: 'Case-insensitive; stored and answered lowercase.' })
  @OneOf(INBOX_MESSAGE_TYPES, { notNull: true, caseInsensitive: true })
  type: string;

  @ApiProperty({ example: 'Example subject', minLength: SUBJECT_MIN, maxLength: SUBJECT_MAX })
  @Text({ notNull: true, min: SUBJECT_MIN, max: SUBJECT_MAX })
  subject: string;

  @ApiProperty({ example: 'Example summary', minLength: SUBJECT_MIN, maxLength: SUBJECT_MAX })
  @Text({ notNull: true, min: SUBJECT_MIN, max: SUBJECT_MAX })
  summary: string;

  @ApiProperty({ example: 'Example message body', minLength: SUBJECT_MIN, maxLength: BODY_MAX })
  @Text({ notNull: true, min: SUBJECT_MIN, max: BODY_MAX })
  body: string;

  @ApiProperty({
    type: [String],
    example: ['application-001', 'application-002'],
    description: `App IDs (each ${INBOX_APP_ID_PATTERN.source}), every one configured; duplicates are ignored.`,
    maxItems: INBOX_APPS_MAX,
  })
  @TextList({ notEmpty: true, maxItems: INBOX_APPS_MAX, itemMax: ID_MAX, itemPattern: INBOX_APP_ID_PATTERN })
  applications: string[];

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'Not in the original API. true: after the message is stored, a silent push with extras ' +
      '{"messageType": "mtoken.inboxMessage.new", "inboxId": <id>} goes to the user\'s devices in each app.',
  })
  @Bool()
  sendPush?: boolean | null;
}

/** `GET /inbox/messages/list?userId=&applications=&onlyUnread=&page=&size=` */
export class InboxListQuery extends PageQuery {
  @ApiProperty({ example: 'user-001' })
  @Text({ notBlank: true, min: 1, max: ID_MAX })
  userId: string;

  @ApiProperty({
    type: String,
    example: 'application-001,application-002',
    description:
      'Comma-separated app IDs (the parameter may also be repeated); a message of any of them is listed.',
  })
  @Transformed(splitAppIds)
  @TextList({ notEmpty: true, maxItems: INBOX_APPS_MAX, itemMax: ID_MAX })
  applications: string[];

  @ApiPropertyOptional({ type: String, enum: ['true', 'false'], default: 'false' })
  @QueryBool()
  onlyUnread?: string;
}

/** `GET /inbox/messages/count?userId=&appId=` */
export class InboxCountQuery {
  @ApiProperty({ example: 'user-001' })
  @Text({ notBlank: true, min: 1, max: ID_MAX })
  userId: string;

  @ApiProperty({ example: 'application-001' })
  @Text({ notBlank: true, min: 1, max: ID_MAX })
  appId: string;
}

/** `GET /inbox/messages/detail?id=` (the docs say `messageId`; the original's code and client use `id`). */
export class InboxDetailQuery {
  @ApiProperty({ example: 'ae641389-d37a-4425-bd14-41c29484596f' })
  @Text({ notBlank: true, min: 1, max: ID_MAX })
  id: string;
}

/** `POST /inbox/messages/read` */
export class ReadInboxMessageRequest {
  @ApiProperty({ example: 'ae641389-d37a-4425-bd14-41c29484596f' })
  @Text({ notBlank: true, min: 1, max: ID_MAX })
  inboxId: string;
}

/** `POST /inbox/messages/read-all` */
export class ReadAllInboxMessagesRequest {
  @ApiProperty({ example: 'user-001' })
  @Text({ notBlank: true, min: 1, max: ID_MAX })
  userId: string;

  @ApiProperty({ example: 'application-001' })
  @Text({ notBlank: true, min: 1, max: ID_MAX })
  appId: string;
}
