import { Global, Module } from '@nestjs/common';
import { PowerAuthClient } from './powerauth.client';

@Global()
@Module({ providers: [PowerAuthClient], exports: [PowerAuthClient] })
export class PowerAuthModule {}
