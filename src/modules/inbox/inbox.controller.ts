import { Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ValidQuery } from '../../common/validation/query.decorator';
import { RequestObject } from '../../common/validation/request-object.decorator';
import {
  CreateInboxMessageRequest,
  InboxCountQuery,
  InboxDetailQuery,
  InboxListQuery,
  ReadAllInboxMessagesRequest,
  ReadInboxMessageRequest,
} from './dto/inbox.requests';
import { InboxService } from './inbox.service';
import { RequireScope } from '../auth/auth.decorators';
import { ApiAccess, CallerAccess } from '../auth/api-access';

/**
 * `/inbox/messages/*`. `read` and `read-all` are POST with a body, as the original's code and client use them; PUT
 * with the same body is served as an alias (the original's docs say PUT).
 */
@ApiTags('Inbox')
@RequireScope('inbox')
@Controller('inbox/messages')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Post()
  @HttpCode(200)
  post(
    @RequestObject(CreateInboxMessageRequest) request: CreateInboxMessageRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.inbox.post(request, access);
  }

  @Get('list')
  list(@ValidQuery(InboxListQuery) query: InboxListQuery, @CallerAccess() access: ApiAccess) {
    return this.inbox.list(query, access);
  }

  @Get('count')
  count(@ValidQuery(InboxCountQuery) query: InboxCountQuery, @CallerAccess() access: ApiAccess) {
    return this.inbox.count(query, access);
  }

  @Get('detail')
  detail(@ValidQuery(InboxDetailQuery) query: InboxDetailQuery, @CallerAccess() access: ApiAccess) {
    return this.inbox.detail(query, access);
  }

  @Post('read')
  @HttpCode(200)
  postRead(
    @RequestObject(ReadInboxMessageRequest) request: ReadInboxMessageRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.inbox.read(request, access);
  }

  @Put('read')
  putRead(
    @RequestObject(ReadInboxMessageRequest) request: ReadInboxMessageRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.inbox.read(request, access);
  }

  @Post('read-all')
  @HttpCode(200)
  postReadAll(
    @RequestObject(ReadAllInboxMessagesRequest) request: ReadAllInboxMessagesRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.inbox.readAll(request, access);
  }

  @Put('read-all')
  putReadAll(
    @RequestObject(ReadAllInboxMessagesRequest) request: ReadAllInboxMessagesRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.inbox.readAll(request, access);
  }
}
