import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json, NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module';
import { AppConfig } from './common/config/app-config';
import { sendErrorEnvelope } from './common/errors/api-exception.filter';
import { securityHeaders } from './common/http/security-headers';
import { ApiAuthGuard } from './modules/auth/api-auth.guard';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Builds the whole HTTP application from a validated configuration; `main.ts` and the tests share it. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(config.logLevel) + 1),
  });
  app.disable('x-powered-by');
  // No ETag on API answers: hashing every body costs CPU on the send path, and the original sends none either.
  app.set('etag', false);
  app.set('trust proxy', config.http.trustProxy);
  // A prefix, not a path: the UI's assets and every form of the document (/v3/api-docs.yaml) are behind it.
  const swaggerPath = new RegExp(`^${escapeRegExp(config.contextPath)}/(swagger-ui|v3/api-docs)`, 'i');
  app.use(securityHeaders(swaggerPath));
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.http.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    });
  }
  // The API description is served by Express, outside the guard: it gets the same address limit and key check here.
  const guard = app.get(ApiAuthGuard);
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (!swaggerPath.test(request.path)) return next();
    guard.admitToApiDescription(request).then(
      () => next(),
      (error: unknown) => sendErrorEnvelope(response, error),
    );
  });
  // Campaign user lists (up to 100,000 ids) get their own, larger limit, for callers who may post them; the general
  // parser below then skips the already parsed body.
  const campaignUsersPath = new RegExp(
    `^${escapeRegExp(config.contextPath)}/push/campaign/[^/]+/user/(add|delete)/?$`,
    'i',
  );
  const campaignUsersParser = json({ limit: config.campaignUserBodyLimitBytes });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (!campaignUsersPath.test(request.path)) return next();
    void guard
      .mayPostLargeBody(request)
      .then((allowed) => (allowed ? campaignUsersParser(request, response, next) : next()));
  });
  app.useBodyParser('json', { limit: config.bodyLimitBytes });
  if (config.contextPath) app.setGlobalPrefix(config.contextPath);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Push Server API')
      .setDescription(
        'PowerAuth Push Server compatible API: devices, messages, campaigns, inbox and administration.',
      )
      .setVersion('3')
      .build(),
  );
  // The YAML form would otherwise be served at /swagger-ui-yaml; springdoc (the original's) names it like this.
  SwaggerModule.setup('swagger-ui', app, document, {
    useGlobalPrefix: true,
    jsonDocumentUrl: 'v3/api-docs',
    yamlDocumentUrl: 'v3/api-docs.yaml',
  });
  return app;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
