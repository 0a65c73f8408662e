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

/** A numeric path variable; anything else is a 400 ERROR_REQUEST (the original answered 500). */
export const IdParam = (name = 'id'): ParameterDecorator =>
  createParamDecorator((param: string, context: ExecutionContext) => {
    const raw = context.switchToHttp().getRequest<Request>().params[param];
    if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw) || Number(raw) > Number.MAX_SAFE_INTEGER) {
      throw PushServerError.invalidRequest([
        {
          fieldName: param,
          invalidValue: typeof raw === 'string' ? raw.slice(0, 200) : undefined,
          hint: 'must be a whole number',
        },
      ]);
    }
    return Number(raw);
  })(name);
