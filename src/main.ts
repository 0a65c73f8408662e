import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { createApp } from './app.factory';
import { AppConfig, ConfigError, loadConfig } from './common/config/app-config';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = new Logger('Main');
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  logger.log(
    `Push server listening on http://${config.host}:${config.port}${config.contextPath} (database: ${config.database.dialect})`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: no longer taking requests; finishing or handing back the sends in flight`);
    // Stop accepting first; requests already running finish, then the app drains its queues and closes.
    const server = app.getHttpServer() as Server;
    server.close();
    server.closeIdleConnections();
    await app.close();
    logger.log('Stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

void bootstrap();
