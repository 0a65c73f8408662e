import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { ErrorEnvelope } from '../envelope/envelope';
import { toWireJson } from '../envelope/envelope';
import { isIntegrityViolation } from '../../database/database-errors';
import { ERROR_HTTP_STATUS, ErrorCode } from './error-codes';
import { PushServerError, Violation } from './push-server.error';
import { RawHttpResponse } from './raw-http-response';
import { requestPath } from '../http/request-path';
import { RouteCatalog } from '../http/route-catalog';

interface Answer {
  status: number;
  code: ErrorCode;
  message: string;
  violations?: Violation[];
  errorId?: string;
  headers?: Record<string, string>;
}

/** The one place that turns any thrown error into the `{status: "ERROR", responseObject}` envelope. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  constructor(private readonly routes: RouteCatalog) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof RawHttpResponse) {
      void reply.code(exception.status).send(exception.body);
      return;
    }
    sendAnswer(reply, this.toAnswer(exception, request));
  }

  private toAnswer(exception: unknown, request: FastifyRequest): Answer {
    if (exception instanceof PushServerError) return answerOf(exception);
    if (exception instanceof HttpException) return this.fromHttpException(exception, request);
    const bodyStatus = bodyReadErrorStatus(exception);
    if (bodyStatus !== undefined) {
      return this.fromHttpException(new HttpException('Request body could not be read', bodyStatus), request);
    }
    if (isIntegrityViolation(exception)) {
      this.logger.warn(
        `Data integrity violation on ${request.method} ${requestPath(request)}: ${describe(exception)}`,
      );
      return { status: 409, code: 'ERROR_DATA_INTEGRITY', message: 'Data integrity violation' };
    }
    const errorId = randomBytes(6).toString('hex');
    const isDatabase = exception instanceof QueryFailedError || isDriverError(exception);
    const kind = isDatabase ? 'database error' : 'error';
    this.logger.error(
      `Unexpected ${kind}, error id ${errorId}, on ${request.method} ${requestPath(request)}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return {
      status: 500,
      code: isDatabase ? 'ERROR_DATABASE' : 'ERROR_INTERNAL',
      message: `${isDatabase ? 'Database error' : 'Internal server error'}, error id: ${errorId}`,
      errorId,
    };
  }

  private fromHttpException(exception: HttpException, request: FastifyRequest): Answer {
    const status = exception.getStatus();
    const path = requestPath(request);
    if (status === HttpStatus.NOT_FOUND) {
      // Nest answers an unmatched route with NotFoundException; a path that exists for other methods is a 405.
      const allowed = this.routes.allowedMethods(path);
      if (allowed.length > 0) {
        return {
          status: 405,
          code: 'ERROR_METHOD_NOT_ALLOWED',
          message: `Request method '${request.method}' is not supported for ${path}`,
          headers: { Allow: allowed.join(', ') },
        };
      }
      return {
        status: 404,
        code: 'ERROR_NOT_FOUND',
        message: `No endpoint ${request.method} ${path}`,
      };
    }
    if (status === HttpStatus.PAYLOAD_TOO_LARGE) {
      return { status, code: 'ERROR_PAYLOAD_TOO_LARGE', message: 'Request body is too large' };
    }
    if (status === HttpStatus.BAD_REQUEST) {
      // Fastify's own 400s (a body shorter than its Content-Length, a URL that does not decode).
      return { status, code: 'ERROR_REQUEST', message: exception.message };
    }
    return { status, code: status >= 500 ? 'ERROR_INTERNAL' : 'ERROR_GENERIC', message: exception.message };
  }
}

function answerOf(error: PushServerError): Answer {
  return {
    status: ERROR_HTTP_STATUS[error.code],
    code: error.code,
    message: error.message,
    violations: error.violations,
    headers: error.headers,
  };
}

function sendAnswer(reply: FastifyReply, answer: Answer): void {
  const body: ErrorEnvelope = {
    status: 'ERROR',
    responseObject: toWireJson({
      code: answer.code === 'ERROR_INTERNAL' ? 'ERROR_GENERIC' : answer.code,
      message: answer.message,
      violations: answer.violations,
      errorId: answer.errorId,
    }) as ErrorEnvelope['responseObject'],
  };
  if (answer.headers) reply.headers(answer.headers);
  void reply.code(answer.status).send(body);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0].slice(0, 300) : String(error);
}

/** Fastify gives an error of the request stream (the client went away mid-body) a 4xx `statusCode`. */
function bodyReadErrorStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function isDriverError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ETIMEDOUT|PROTOCOL_CONNECTION_LOST|SQLITE_)/.test(code);
}
