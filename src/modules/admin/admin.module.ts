import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CredentialsCipher } from '../../common/crypto/credentials-cipher';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { AppCredentialsStatusRepository } from './app-credentials-status.repository';
import { AppCredentialsRepository } from './app-credentials.repository';
import { AppCredentialsStatusEntity } from './entities/app-credentials-status.entity';
import { AppCredentialsEntity } from './entities/app-credentials.entity';

@Module({
  imports: [TypeOrmModule.forFeature([AppCredentialsEntity, AppCredentialsStatusEntity])],
  controllers: [AdminController],
  providers: [AdminService, AppCredentialsRepository, AppCredentialsStatusRepository, CredentialsCipher],
  exports: [AppCredentialsRepository, AppCredentialsStatusRepository, CredentialsCipher],
})
export class AdminModule {}
