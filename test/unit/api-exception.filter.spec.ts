import { ArgumentsHost, HttpException, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ApiExceptionFilter } from '../../src/common/errors/api-exception.filter';
import { PushServerError } from '../../src/common/errors/push-server.error';
import { RouteCatalog } from '../../src/common/http/route-catalog';

interface Sent {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The part of Fastify's reply the filter uses; what it was given lands in `sent`. */
function fakeReply(sent: Sent) {
  const reply = {
    code: (status: number) => ((sent.statusCode = status), reply),
    headers: (headers: Record<string, string>) => (Object.assign(sent.headers, headers), reply),
    send: (body: unknown) => ((sent.body = body), reply),
  };
  return reply;
}

function answer(exception: unknown, method = 'POST', url = '/push/x?y=1', routes = new RouteCatalog()): Sent {
  const sent: Sent = { statusCode: 0, headers: {}, body: undefined };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ method, url }), getResponse: () => fakeReply(sent) }),
  } as unknown as ArgumentsHost;
  new ApiExceptionFilter(routes).catch(exception, host);
  return sent;
}

describe('ApiExceptionFilter', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers an unexpected error with 500 ERROR_GENERIC and an error id that is also in the log', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const response = answer(new TypeError('boom: secret detail'));
    expect(response.statusCode).toBe(500);
    const body = response.body as {
      status: string;
      responseObject: { code: string; message: string; errorId: string };
    };
    expect(body.status).toBe('ERROR');
    expect(body.responseObject.code).toBe('ERROR_GENERIC');
    expect(body.responseObject.errorId).toMatch(/^[0-9a-f]{12}$/);
    expect(body.responseObject.message).toBe(
      `Internal server error, error id: ${body.responseObject.errorId}`,
    );
    expect(JSON.stringify(body)).not.toContain('secret detail');
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining(`error id ${body.responseObject.errorId}, on POST /push/x`),
      expect.stringContaining('boom: secret detail'),
    );
  });

  it('answers a database failure with 500 ERROR_DATABASE and an error id', () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const response = answer(new QueryFailedError('SELECT 1', [], new Error('connection lost')));
    expect(response.statusCode).toBe(500);
    expect((response.body as { responseObject: { code: string } }).responseObject.code).toBe(
      'ERROR_DATABASE',
    );
  });

  it('maps a unique violation to 409 ERROR_DATA_INTEGRITY without the SQL', () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = new QueryFailedError(
      'INSERT INTO t VALUES (1)',
      [],
      Object.assign(new Error('dup'), { code: '23505' }),
    );
    const response = answer(error);
    expect(response.statusCode).toBe(409);
    expect(response.body).toEqual({
      status: 'ERROR',
      responseObject: { code: 'ERROR_DATA_INTEGRITY', message: 'Data integrity violation' },
    });
  });

  it('answers an error of the request stream, which Fastify gives a 4xx statusCode, with that status', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    const response = answer(aborted);
    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual({
      status: 'ERROR',
      responseObject: { code: 'ERROR_REQUEST', message: 'Request body could not be read' },
    });
    expect(logged).not.toHaveBeenCalled();
  });

  it("answers Fastify's own 400s (mapped by Nest to HttpException) with their message", () => {
    const response = answer(new HttpException('Request body size did not match Content-Length', 400));
    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual({
      status: 'ERROR',
      responseObject: { code: 'ERROR_REQUEST', message: 'Request body size did not match Content-Length' },
    });
  });

  it('answers an unrouted path with 404, and a path routed for other methods with 405 and Allow', () => {
    const routes = new RouteCatalog();
    routes.add('POST', '/push/x');
    routes.add('HEAD', '/push/x');
    expect(answer(new HttpException('Cannot GET', 404), 'GET', '/push/x/?a=b', routes)).toEqual({
      statusCode: 405,
      headers: { Allow: 'POST' },
      body: {
        status: 'ERROR',
        responseObject: {
          code: 'ERROR_METHOD_NOT_ALLOWED',
          message: "Request method 'GET' is not supported for /push/x/",
        },
      },
    });
    expect(answer(new HttpException('Cannot GET', 404), 'GET', '/push/y', routes)).toEqual({
      statusCode: 404,
      headers: {},
      body: {
        status: 'ERROR',
        responseObject: { code: 'ERROR_NOT_FOUND', message: 'No endpoint GET /push/y' },
      },
    });
  });

  it('maps a domain error code to its status through the one table', () => {
    const response = answer(PushServerError.generic('Application already exists'));
    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual({
      status: 'ERROR',
      responseObject: { code: 'ERROR_GENERIC', message: 'Application already exists' },
    });
  });
});
