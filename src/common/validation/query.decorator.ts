import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PushServerError } from '../errors/push-server.error';
import { validateDto } from './validate-dto';

type DtoClass = new () => object;

/** Validated query parameters: `@ValidQuery(AppIdQuery) query`. */
export const ValidQuery = (dto: DtoClass): ParameterDecorator =>
  createParamDecorator((dtoClass: DtoClass, context: ExecutionContext) => {
    const query = context.switchToHttp().getRequest<FastifyRequest>().query as Record<string, unknown>;
    return validateDto(dtoClass, { ...query }, '');
  })(dto);

/** The ids in paths name rows of INTEGER columns: a larger number would fail the query (PostgreSQL, MariaDB). */
export const MAX_ID = 2147483647;

/** A numeric path variable; anything else is a 400 ERROR_REQUEST (the original answered 500). */
export const IdParam = (name = 'id'): ParameterDecorator =>
  createParamDecorator((param: string, context: ExecutionContext) => {
    const params = context.switchToHttp().getRequest<FastifyRequest>().params as Record<string, unknown>;
    const raw = params[param];
    const hint =
      typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)
        ? 'must be a whole number'
        : Number(raw) > MAX_ID
          ? `must be less than or equal to ${MAX_ID}`
          : undefined;
    if (hint) {
      throw PushServerError.invalidRequest([
        { fieldName: param, invalidValue: typeof raw === 'string' ? raw.slice(0, 200) : undefined, hint },
      ]);
    }
    return Number(raw);
  })(name);
