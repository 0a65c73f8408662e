import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { ApnsProvider } from './apns/apns.provider';
import { FcmProvider } from './fcm/fcm.provider';
import { HmsProvider } from './hms/hms.provider';
import { PUSH_PROVIDERS, PushProvider } from './push-provider';
import { ProviderWorkerPool } from './worker/provider-worker.pool';
import { WorkerPushProvider } from './worker/worker-push-provider';

/**
 * One adapter per platform, handed to the pipeline as PUSH_PROVIDERS: the adapters themselves (PROVIDER_THREADS=0),
 * or stand-ins that check payloads here and send through the adapters in PROVIDER_THREADS worker threads.
 */
@Module({
  providers: [
    ApnsProvider,
    FcmProvider,
    HmsProvider,
    {
      provide: PUSH_PROVIDERS,
      inject: [APP_CONFIG, ApnsProvider, FcmProvider, HmsProvider],
      useFactory: (config: AppConfig, ...providers: PushProvider[]): PushProvider[] => {
        if (config.providers.threads === 0) return providers;
        const pool = new ProviderWorkerPool(config);
        return providers.map((provider) => new WorkerPushProvider(provider, pool));
      },
    },
  ],
  exports: [PUSH_PROVIDERS],
})
export class ProvidersModule {}
