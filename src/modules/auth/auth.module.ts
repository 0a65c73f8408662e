import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiAuthGuard } from './api-auth.guard';
import { ApiAuthenticator } from './api-authenticator.service';
import { ApiClientRepository } from './api-client.repository';
import { ApiClientService } from './api-client.service';
import { BootstrapClientService } from './bootstrap-client.service';
import { ApiClientEntity } from './entities/api-client.entity';

/** API clients, the guard in front of every route, and the first start's admin client. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ApiClientEntity])],
  providers: [
    ApiClientRepository,
    ApiClientService,
    ApiAuthenticator,
    ApiAuthGuard,
    { provide: APP_GUARD, useExisting: ApiAuthGuard },
    BootstrapClientService,
  ],
  exports: [ApiClientRepository, ApiAuthenticator, ApiAuthGuard],
})
export class AuthModule {}
