import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INBOX_MESSAGE_TYPES } from './inbox.requests';

/** An item of `/inbox/messages/list`: no body. */
export class InboxMessageItem {
  @ApiProperty({ example: 'ae641389-d37a-4425-bd14-41c29484596f', description: 'UUID v4' }) id: string;
  @ApiProperty({ enum: INBOX_MESSAGE_TYPES }) type: string;
  @ApiProperty({ example: 'Example subject' }) subject: string;
  @ApiProperty({ example: 'Example summary' }) summary: string;
  @ApiProperty() read: boolean;
  @ApiProperty({ example: '2022-08-25T22:34:58.702+00:00' }) timestampCreated: Date;
}

/** The whole message: post, detail and read. */
export class InboxMessageDetail {
  @ApiProperty({ example: 'ae641389-d37a-4425-bd14-41c29484596f', description: 'UUID v4' }) id: string;
  @ApiProperty({ example: 'user-001' }) userId: string;
  @ApiProperty({ enum: INBOX_MESSAGE_TYPES }) type: string;
  @ApiProperty({ example: 'Example subject' }) subject: string;
  @ApiProperty({ example: 'Example summary' }) summary: string;
  @ApiProperty({ example: 'Example message body' }) body: string;
  @ApiProperty() read: boolean;
  @ApiProperty({ example: '2022-08-25T22:34:58.702+00:00' }) timestampCreated: Date;
  @ApiPropertyOptional({ example: '2022-08-25T22:40:12.004+00:00', description: 'Set once read.' })
  timestampRead?: Date;
  @ApiProperty({ type: [String], example: ['application-001', 'application-002'] }) applications: string[];
}

export class InboxCountResponse {
  @ApiProperty({ example: 1 }) countUnread: number;
}
