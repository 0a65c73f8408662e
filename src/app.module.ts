import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppConfig } from './common/config/app-config';
import { ConfigModule } from './common/config/config.module';
import { ApiExceptionFilter } from './common/errors/api-exception.filter';
import { RouteCatalog } from './common/http/route-catalog';
import { DatabaseModule } from './database/database.module';
import { AdminModule } from './modules/admin/admin.module';
import { DeviceModule } from './modules/device/device.module';
import { PowerAuthModule } from './common/powerauth/powerauth.module';
import { ServiceModule } from './modules/service/service.module';
import { MessageModule } from './modules/message/message.module';
import { MetricsModule } from './common/metrics/metrics.module';
import { CampaignModule } from './modules/campaign/campaign.module';
import { InboxModule } from './modules/inbox/inbox.module';
import { AuthModule } from './modules/auth/auth.module';
import { AuditModule } from './modules/audit/audit.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(),
        AuthModule,
        AuditModule,
        PowerAuthModule,
        MetricsModule,
        ServiceModule,
        AdminModule,
        DeviceModule,
        MessageModule,
        CampaignModule,
        InboxModule,
      ],
      providers: [RouteCatalog, { provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
