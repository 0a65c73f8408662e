import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ServiceStatusService } from './service-status.service';
import { Public } from '../auth/auth.decorators';

@ApiTags('Service')
@Public()
@Controller('push/service')
export class ServiceController {
  constructor(private readonly statusService: ServiceStatusService) {}

  @Get('status')
  status() {
    return this.statusService.status();
  }
}
