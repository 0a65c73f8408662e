import { ArgumentsHost, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { QueryFailedError } from 'typeorm';
import { ApiExceptionFilter } from '../../src/common/errors/api-exception.filter';
import { PushServerError } from '../../src/common/errors/push-server.error';

function answer(exception: unknown) {
  const response = {
    statusCode: 0,
    body: undefined as unknown,
    headers: {} as Record<string, string>,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    json(body: unknown) {
      this.body = body;
    },
    setHeader(name: string, value: string) {
      this.headers[name] = value;
    },
  };
  const host = {
    switchToHttp: () => ({
      getRequest: () => ({ method: 'POST', path: '/push/x' }),
      getResponse: () => response,
    }),
  } as unknown as ArgumentsHost;
  new ApiExceptionFilter({ httpAdapter: { getInstance: () => ({}) } } as unknown as HttpAdapterHost).catch(
    exception,
    host,
  );
  return response;
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

  it('answers a 4xx http-error of the body parser without `type` (bad gzip) with its status (found by the fuzzer)', () => {
    const zlib = Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR' });
    const wrapped = Object.assign(zlib, { status: 400, statusCode: 400, expose: true });
    const response = answer(wrapped);
    expect(response.statusCode).toBe(400);
    expect((response.body as { responseObject: { code: string } }).responseObject.code).toBe('ERROR_REQUEST');
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
