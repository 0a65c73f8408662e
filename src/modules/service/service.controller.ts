import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ServiceStatusService } from './service-status.service';

@ApiTags('Service')
@Controller('push/service')
export class ServiceController {
  constructor(private readonly statusService: ServiceStatusService) {}

  @Get('status')
  status() {
    return this.statusService.status();
  }
}
