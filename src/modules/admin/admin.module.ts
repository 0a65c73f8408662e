import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CredentialsCipher } from '../../common/crypto/credentials-cipher';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { AppCredentialsRepository } from './app-credentials.repository';
import { AppCredentialsEntity } from './entities/app-credentials.entity';

@Module({
  imports: [TypeOrmModule.forFeature([AppCredentialsEntity])],
  controllers: [AdminController],
  providers: [AdminService, AppCredentialsRepository, CredentialsCipher],
  exports: [AppCredentialsRepository, CredentialsCipher],
})
export class AdminModule {}
