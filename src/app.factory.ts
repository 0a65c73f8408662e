import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { AppModule } from './app.module';
import { AppConfig } from './common/config/app-config';
import { EnvelopeHttpAdapter } from './common/envelope/envelope-http.adapter';
import { registerBodyParsers } from './common/http/body-parsers';
import { requestPath } from './common/http/request-path';
import { RouteCatalog } from './common/http/route-catalog';
import { securityHeaders } from './common/http/security-headers';
import { bindWithoutDeprecatedProperty } from './common/runtime/async-resource-bind';
import { ApiAuthGuard } from './modules/auth/api-auth.guard';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Builds the whole HTTP application from a validated configuration; `main.ts` and the tests share it. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  bindWithoutDeprecatedProperty();
  // A prefix, not a path: the UI's assets and every form of the document (/v3/api-docs.yaml) are behind it.
  const swaggerPath = new RegExp(`^${escapeRegExp(config.contextPath)}/(swagger-ui|v3/api-docs)`, 'i');
  const addSecurityHeaders = securityHeaders(swaggerPath);
  const adapter = new EnvelopeHttpAdapter({
    trustProxy: config.http.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    // /push/message/send/ is /push/message/send, as it was on Express (RouteCatalog matches the same way).
    routerOptions: { ignoreTrailingSlash: true },
    // A URL the router cannot take (bad percent-encoding, a parameter over 100 characters) skips the hooks and the
    // error handler (Nest's, which calls ApiExceptionFilter); it gets the headers and the envelope of every other
    // answer.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      addSecurityHeaders(request, reply, () => adapter.getInstance().errorHandler(error, request, reply)),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bodyParser: false,
    logger: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(config.logLevel) + 1),
  });
  const fastify = adapter.getInstance();
  const guard = app.get(ApiAuthGuard);
  // Before CORS's hook, which answers preflights itself.
  adapter.setOnRequestHook(addSecurityHeaders);
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.http.corsOrigins,
      methods: 'GET,POST,PUT,DELETE',
      allowedHeaders: 'Authorization,Content-Type',
      maxAge: 600,
    });
  }
  // The API description is not a Nest route, so the guard does not see it: the same address limit and key check here.
  fastify.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
    if (!swaggerPath.test(requestPath(request))) return done();
    guard.admitToApiDescription(request).then(() => done(), done);
  });
  registerBodyParsers(fastify, {
    general: config.bodyLimitBytes,
    large: config.campaignUserBodyLimitBytes,
    mayPostLargeBody: (request) => guard.mayPostLargeBody(request),
  });
  const routes = app.get(RouteCatalog);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) routes.add(method, route.url);
  });
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
