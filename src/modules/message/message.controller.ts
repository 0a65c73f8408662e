import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequestObject } from '../../common/validation/request-object.decorator';
import { SendMessageBatchRequest, SendMessageRequest } from './dto/message.requests';
import { MessageService } from './message.service';
import { RequireScope } from '../auth/auth.decorators';
import { ApiAccess, CallerAccess } from '../auth/api-access';

@ApiTags('Message')
@RequireScope('push')
@Controller('push/message')
export class MessageController {
  constructor(private readonly messages: MessageService) {}

  @Post('send')
  @HttpCode(200)
  send(@RequestObject(SendMessageRequest) request: SendMessageRequest, @CallerAccess() access: ApiAccess) {
    return this.messages.send(request, access);
  }

  @Post('batch/send')
  @HttpCode(200)
  sendBatch(
    @RequestObject(SendMessageBatchRequest) request: SendMessageBatchRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.messages.sendBatch(request, access);
  }
}
