import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { RawResponse } from '../../common/http/route-options';
import { RawHttpResponse } from '../../common/errors/raw-http-response';
import { Public } from '../auth/auth.decorators';

/** Probes for orchestrators; plain terminus JSON, outside the envelope. */
@ApiTags('Health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  @RawResponse()
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: the database answers. */
  @Get('ready')
  @RawResponse()
  @HealthCheck()
  async ready() {
    try {
      return await this.health.check([() => this.database.pingCheck('database', { timeout: 3000 })]);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) throw new RawHttpResponse(503, error.getResponse());
      throw error;
    }
  }
}
