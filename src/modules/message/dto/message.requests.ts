import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Bool, FreeObject, Int, Nested, OneOf, Text, TextList } from '../../../common/validation/constraints';

// Providers cap a whole payload at 4 KB; these bounds only stop absurd input before the payload check.
const TEXT_MAX = 4096;
const ARGS_MAX = 64;
export const SEND_MODES = ['SYNCHRONOUS', 'ASYNCHRONOUS'] as const;
export const PRIORITIES = ['HIGH', 'NORMAL'] as const;
// The service answers more than 20 with the original's message; this bound only limits what is parsed.
const BATCH_PARSE_MAX = 1000;

/** PushMessageBody: the content of a notification. */
export class PushMessageBodyDto {
  @ApiPropertyOptional({ example: 'Balance update' }) @Text({ max: TEXT_MAX }) title?: string | null;
  @ApiPropertyOptional() @Text({ max: TEXT_MAX }) titleLocKey?: string | null;
  @ApiPropertyOptional({ type: [String] })
  @TextList({ maxItems: ARGS_MAX, itemMax: TEXT_MAX })
  titleLocArgs?: string[] | null;
  @ApiPropertyOptional({ example: 'Your balance is now $745.00' }) @Text({ max: TEXT_MAX }) body?:
    string | null;
  @ApiPropertyOptional() @Text({ max: TEXT_MAX }) bodyLocKey?: string | null;
  @ApiPropertyOptional({ type: [String] }) @TextList({ maxItems: ARGS_MAX, itemMax: TEXT_MAX }) bodyLocArgs?:
    string[] | null;
  @ApiPropertyOptional({ example: 3 }) @Int({ min: 0, max: 2147483647 }) badge?: number | null;
  @ApiPropertyOptional({ example: 'default' }) @Text({ max: 255 }) sound?: string | null;
  @ApiPropertyOptional() @Text({ max: 255 }) icon?: string | null;
  @ApiPropertyOptional() @Text({ max: 255 }) category?: string | null;
  @ApiPropertyOptional({ description: 'APNs collapse id (at most 64 bytes), FCM collapse key, HMS integer.' })
  @Text({ max: 64 })
  collapseKey?: string | null;

  @ApiPropertyOptional({ example: '2030-12-11T21:22:29.923Z', description: 'ISO-8601 instant.' })
  @Text({ max: 64, pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/ })
  validUntil?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @FreeObject() extras?: Record<
    string,
    unknown
  > | null;
}

export class PushMessageAttributesDto {
  @ApiPropertyOptional({ default: false }) @Bool() silent?: boolean | null;
  @ApiPropertyOptional({ default: false, description: 'Skip devices whose activation is not ACTIVE.' })
  @Bool()
  personal?: boolean | null;
}

/** PushMessage: one notification to one user's devices (optionally one activation's). */
export class PushMessageDto {
  @ApiProperty({ example: '123' }) @Text({ max: 255 }) userId?: string | null;
  @ApiPropertyOptional() @Text({ max: 37 }) activationId?: string | null;
  @ApiPropertyOptional({ enum: PRIORITIES, default: 'HIGH' }) @OneOf(PRIORITIES) priority?: string | null;
  @ApiPropertyOptional({ type: PushMessageAttributesDto })
  @Nested(() => PushMessageAttributesDto)
  attributes?: PushMessageAttributesDto | null;
  @ApiProperty({ type: PushMessageBodyDto })
  @Nested(() => PushMessageBodyDto)
  body?: PushMessageBodyDto | null;
}

export class SendMessageRequest {
  @ApiProperty({ example: 'mobile-app' }) @Text({ max: 255 }) appId?: string | null;
  @ApiPropertyOptional({ enum: SEND_MODES, default: 'SYNCHRONOUS' }) @OneOf(SEND_MODES) mode?: string | null;
  @ApiProperty({ type: PushMessageDto }) @Nested(() => PushMessageDto) message?: PushMessageDto | null;
}

export class SendMessageBatchRequest {
  @ApiProperty({ example: 'mobile-app' }) @Text({ max: 255 }) appId?: string | null;
  @ApiPropertyOptional({ enum: SEND_MODES, default: 'SYNCHRONOUS' }) @OneOf(SEND_MODES) mode?: string | null;
  @ApiProperty({ type: [PushMessageDto], maxItems: 20 })
  @Nested(() => PushMessageDto, { list: true, maxItems: BATCH_PARSE_MAX })
  batch?: PushMessageDto[] | null;
}
