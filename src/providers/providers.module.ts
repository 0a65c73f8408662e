import { Module } from '@nestjs/common';
import { ApnsProvider } from './apns/apns.provider';
import { FcmProvider } from './fcm/fcm.provider';
import { HmsProvider } from './hms/hms.provider';
import { PUSH_PROVIDERS, PushProvider } from './push-provider';

/** One adapter per platform, handed to the pipeline as PUSH_PROVIDERS. */
@Module({
  providers: [
    ApnsProvider,
    FcmProvider,
    HmsProvider,
    {
      provide: PUSH_PROVIDERS,
      inject: [ApnsProvider, FcmProvider, HmsProvider],
      useFactory: (...providers: PushProvider[]) => providers,
    },
  ],
  exports: [PUSH_PROVIDERS],
})
export class ProvidersModule {}
