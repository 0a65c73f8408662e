import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { runMigrations } from './migration-runner';
import { TransactionRunner } from './transaction-runner';

/** The TypeORM connection; migrated before anything uses it when DATABASE_MIGRATE is true. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.database),
        migrationsRun: config.database.migrate,
      }),
      dataSourceFactory: async (options) => {
        // TypeORM's own migrationsRun takes no lock; ours does, so several nodes may start at once.
        const dataSource = await new DataSource({ ...options!, migrationsRun: false }).initialize();
        if (options!.migrationsRun) await runMigrations(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [TransactionRunner],
  exports: [TransactionRunner],
})
export class DatabaseModule {}
