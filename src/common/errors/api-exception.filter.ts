import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { ErrorEnvelope } from '../envelope/envelope';
import { toWireJson } from '../envelope/envelope';
import { isIntegrityViolation } from '../../database/database-errors';
import { ERROR_HTTP_STATUS, ErrorCode } from './error-codes';
import { PushServerError, Violation } from './push-server.error';
import { RawHttpResponse } from './raw-http-response';
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
  private routes?: RouteCatalog;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (exception instanceof RawHttpResponse) {
      response.status(exception.status).json(exception.body);
      return;
    }
    sendAnswer(response, this.toAnswer(exception, request));
  }

  private toAnswer(exception: unknown, request: Request): Answer {
    if (exception instanceof PushServerError) return answerOf(exception);
    if (exception instanceof HttpException) return this.fromHttpException(exception, request);
    const bodyParserStatus = bodyParserErrorStatus(exception);
    if (bodyParserStatus !== undefined) {
      return this.fromHttpException(new HttpException('Bad request body', bodyParserStatus), request);
    }
    if (isIntegrityViolation(exception)) {
      this.logger.warn(
        `Data integrity violation on ${request.method} ${request.path}: ${describe(exception)}`,
      );
      return { status: 409, code: 'ERROR_DATA_INTEGRITY', message: 'Data integrity violation' };
    }
    const errorId = randomBytes(6).toString('hex');
    const isDatabase = exception instanceof QueryFailedError || isDriverError(exception);
    this.logger.error(
      `Unexpected ${isDatabase ? 'database ' : ''}error, error id ${errorId}, on ${request.method} ${request.path}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return {
      status: 500,
      code: isDatabase ? 'ERROR_DATABASE' : 'ERROR_INTERNAL',
      message: `${isDatabase ? 'Database error' : 'Internal server error'}, error id: ${errorId}`,
      errorId,
    };
  }

  private fromHttpException(exception: HttpException, request: Request): Answer {
    const status = exception.getStatus();
    if (status === HttpStatus.NOT_FOUND) {
      // Nest answers an unmatched route with NotFoundException; a path that exists for other methods is a 405.
      const allowed = this.routeCatalog().allowedMethods(request.path);
      if (allowed.length > 0) {
        return {
          status: 405,
          code: 'ERROR_METHOD_NOT_ALLOWED',
          message: `Request method '${request.method}' is not supported for ${request.path}`,
          headers: { Allow: allowed.join(', ') },
        };
      }
      return {
        status: 404,
        code: 'ERROR_NOT_FOUND',
        message: `No endpoint ${request.method} ${request.path}`,
      };
    }
    if (status === HttpStatus.PAYLOAD_TOO_LARGE) {
      return { status, code: 'ERROR_PAYLOAD_TOO_LARGE', message: 'Request body is too large' };
    }
    if (status === HttpStatus.BAD_REQUEST) {
      // The body parser's SyntaxError reaches us as a BadRequestException.
      return {
        status,
        code: 'ERROR_REQUEST',
        message: 'Malformed JSON in request body',
        violations: [{ fieldName: 'body', hint: 'must be a valid JSON object' }],
      };
    }
    if (status === HttpStatus.UNSUPPORTED_MEDIA_TYPE) {
      return {
        status,
        code: 'ERROR_UNSUPPORTED_MEDIA_TYPE',
        message: 'Request body must be application/json',
      };
    }
    return { status, code: status >= 500 ? 'ERROR_INTERNAL' : 'ERROR_GENERIC', message: exception.message };
  }

  private routeCatalog(): RouteCatalog {
    this.routes ??= new RouteCatalog(this.adapterHost.httpAdapter.getInstance());
    return this.routes;
  }
}

/** The envelope of a PushServerError, for middleware that answers outside Nest's routing (the API description). */
export function sendErrorEnvelope(response: Response, error: unknown): void {
  const known =
    error instanceof PushServerError ? error : new PushServerError('ERROR_GENERIC', 'Request failed');
  sendAnswer(response, answerOf(known));
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

function sendAnswer(response: Response, answer: Answer): void {
  const body: ErrorEnvelope = {
    status: 'ERROR',
    responseObject: toWireJson({
      code: answer.code === 'ERROR_INTERNAL' ? 'ERROR_GENERIC' : answer.code,
      message: answer.message,
      violations: answer.violations,
      errorId: answer.errorId,
    }) as ErrorEnvelope['responseObject'],
  };
  for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
  response.status(answer.status).json(body);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0].slice(0, 300) : String(error);
}

/**
 * body-parser errors (too large, bad charset, aborted, a body that is not the gzip its Content-Encoding says) are
 * http-errors with a 4xx `status` and `type` or `expose`, and do not reach Nest as HTTP errors.
 */
function bodyParserErrorStatus(error: unknown): number | undefined {
  const candidate = error as { type?: unknown; status?: unknown; expose?: unknown } | null;
  if (typeof candidate?.status !== 'number') return undefined;
  if (typeof candidate.type !== 'string' && candidate.expose !== true) return undefined;
  return candidate.status >= 400 && candidate.status < 500 ? candidate.status : undefined;
}

function isDriverError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ETIMEDOUT|PROTOCOL_CONNECTION_LOST|SQLITE_)/.test(code);
}
