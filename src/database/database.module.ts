import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { runMigrations } from './migration-runner';
import { TransactionRunner } from './transaction-runner';

export interface DatabaseModuleOptions {
  /** Connection attempts after the first one fails, 3 s apart; TypeORM's default (9) suits a starting server. */
  retryAttempts?: number;
}

/** The TypeORM connection; migrated before anything uses it when DATABASE_MIGRATE is true. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions = {}): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            ...buildDataSourceOptions(config.database),
            migrationsRun: config.database.migrate,
            retryAttempts: options.retryAttempts,
          }),
          dataSourceFactory: async (dataSourceOptions) => {
            // TypeORM's own migrationsRun takes no lock; ours does, so several nodes may start at once.
            const dataSource = await new DataSource({
              ...dataSourceOptions!,
              migrationsRun: false,
            }).initialize();
            if (dataSourceOptions!.migrationsRun) await runMigrations(dataSource);
            return dataSource;
          },
        }),
      ],
      providers: [TransactionRunner],
      exports: [TransactionRunner],
    };
  }
}
