import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { PushServerError } from '../errors/push-server.error';
import { validateDto } from './validate-dto';

type DtoClass = new () => object;

/** Validated query parameters: `@ValidQuery(AppIdQuery) query`. */
export const ValidQuery = (dto: DtoClass): ParameterDecorator =>
  createParamDecorator((dtoClass: DtoClass, context: ExecutionContext) => {
    const query = context.switchToHttp().getRequest<Request>().query;
    return validateDto(dtoClass, { ...query }, '');
  })(dto);

/** The ids in paths name rows of INTEGER columns: a larger number would fail the query (PostgreSQL, MariaDB). */
export const MAX_ID = 2147483647;

/** A numeric path variable; anything else is a 400 ERROR_REQUEST (the original answered 500). */
export const IdParam = (name = 'id'): ParameterDecorator =>
  createParamDecorator((param: string, context: ExecutionContext) => {
    const raw = context.switchToHttp().getRequest<Request>().params[param];
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
