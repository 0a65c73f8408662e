import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiBody, ApiProperty } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PushServerError, Violation } from '../errors/push-server.error';
import { hasNul, NUL_HINT } from './constraints';
import { echo } from './field-rules';
import { validateDto } from './validate-dto';

type DtoClass = new () => object;

const wrapperCache = new Map<DtoClass, DtoClass>();

/** The OpenAPI schema of `{"requestObject": Dto}`. */
function wrapperOf(dto: DtoClass): DtoClass {
  let wrapper = wrapperCache.get(dto);
  if (!wrapper) {
    class ObjectRequest {
      @ApiProperty({ type: dto })
      requestObject: object;
    }
    Object.defineProperty(ObjectRequest, 'name', { value: `ObjectRequest${dto.name}` });
    wrapper = ObjectRequest;
    wrapperCache.set(dto, wrapper);
  }
  return wrapper;
}

function documentBody(type: DtoClass) {
  return (target: object, key: string | symbol | undefined) => {
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (descriptor) ApiBody({ type })(target, key, descriptor);
  };
}

/** The validated `requestObject` of an enveloped JSON body: `@RequestObject(CreateDeviceRequest) request`. */
export const RequestObject = (dto: DtoClass): ParameterDecorator =>
  createParamDecorator(
    (dtoClass: DtoClass, context: ExecutionContext) => {
      const body: unknown = context.switchToHttp().getRequest<FastifyRequest>().body;
      const requestObject =
        body !== null && typeof body === 'object'
          ? (body as { requestObject?: unknown }).requestObject
          : undefined;
      return validateDto(dtoClass, requestObject, 'requestObject');
    },
    [documentBody(wrapperOf(dto))],
  )(dto);

/** The validated bare JSON body, for the endpoints that take no envelope (`/push/device/status/update`). */
export const BareBody = (dto: DtoClass): ParameterDecorator =>
  createParamDecorator(
    (dtoClass: DtoClass, context: ExecutionContext) =>
      validateDto(dtoClass, context.switchToHttp().getRequest<FastifyRequest>().body, ''),
    [documentBody(dto)],
  )(dto);

export interface TextListBodyOptions {
  /** A missing or null `requestObject` is a 400 violation; otherwise the handler receives null. */
  notNull?: boolean;
  maxItems: number;
  /** Each item must be a non-blank string of at most this many characters. */
  itemMax: number;
}

// A list of 100,000 items could have as many bad ones; the first few say what is wrong.
const MAX_LIST_VIOLATIONS = 20;

/**
 * The validated `requestObject` of an envelope whose payload is a JSON array of strings (`{"requestObject":
 * ["u1","u2"]}`, the original's `ListOfUsers`). Answers null for a missing list unless `notNull` is set.
 */
export const RequestTextList = (options: TextListBodyOptions): ParameterDecorator =>
  createParamDecorator(
    (opts: TextListBodyOptions, context: ExecutionContext): string[] | null => {
      const body: unknown = context.switchToHttp().getRequest<FastifyRequest>().body;
      const list =
        body !== null && typeof body === 'object'
          ? (body as { requestObject?: unknown }).requestObject
          : undefined;
      return validateTextList(list, opts);
    },
    [
      (target: object, key: string | symbol | undefined) => {
        if (key === undefined) return;
        const descriptor = Object.getOwnPropertyDescriptor(target, key);
        if (!descriptor) return;
        ApiBody({
          schema: {
            type: 'object',
            properties: {
              requestObject: {
                type: 'array',
                maxItems: options.maxItems,
                items: { type: 'string', minLength: 1, maxLength: options.itemMax },
              },
            },
          },
        })(target, key, descriptor);
      },
    ],
  )(options);

function validateTextList(list: unknown, options: TextListBodyOptions): string[] | null {
  const field = 'requestObject';
  if (list === null || list === undefined) {
    if (!options.notNull) return null;
    throw PushServerError.invalidRequest([{ fieldName: field, hint: 'must not be null' }]);
  }
  if (!Array.isArray(list)) {
    throw PushServerError.invalidRequest([
      { fieldName: field, invalidValue: echo(list), hint: 'must be an array of strings' },
    ]);
  }
  if (list.length > options.maxItems) {
    throw PushServerError.invalidRequest([
      { fieldName: field, hint: `size must be between 0 and ${options.maxItems}` },
    ]);
  }
  const violations: Violation[] = [];
  for (let index = 0; index < list.length && violations.length < MAX_LIST_VIOLATIONS; index++) {
    const item: unknown = list[index];
    let hint: string | undefined;
    if (typeof item !== 'string') hint = 'must be a string';
    else if (item.trim() === '') hint = 'must not be blank';
    else if (item.length > options.itemMax) hint = `size must be between 1 and ${options.itemMax}`;
    else if (hasNul(item)) hint = NUL_HINT;
    if (hint) violations.push({ fieldName: `${field}[${index}]`, invalidValue: echo(item), hint });
  }
  if (violations.length > 0) throw PushServerError.invalidRequest(violations);
  return list as string[];
}
