import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../common/config/app-config';
import { ConfigModule } from '../common/config/config.module';
import { CredentialsCipher } from '../common/crypto/credentials-cipher';
import { DatabaseModule } from '../database/database.module';
import { AuditModule } from '../modules/audit/audit.module';
import { ApiClientRepository } from '../modules/auth/api-client.repository';
import { ApiClientService } from '../modules/auth/api-client.service';
import { ApiClientEntity } from '../modules/auth/entities/api-client.entity';
import { ClientCommands } from './client-commands';
import { CredentialsCommands } from './credentials-commands';

/**
 * What the command-line tool needs: the configuration, the database (migrated like the server's when
 * DATABASE_MIGRATE is true) and the repositories of its commands. Not AuthModule, whose first-start hook would
 * create the bootstrap admin client, nor anything that sends.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        // A command fails at once when the database is down, instead of retrying for half a minute.
        DatabaseModule.forRoot({ retryAttempts: 0 }),
        AuditModule,
        TypeOrmModule.forFeature([ApiClientEntity]),
      ],
      providers: [
        ApiClientRepository,
        ApiClientService,
        CredentialsCipher,
        ClientCommands,
        CredentialsCommands,
      ],
    };
  }
}
