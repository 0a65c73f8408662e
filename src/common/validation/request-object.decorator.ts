import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiBody, ApiProperty } from '@nestjs/swagger';
import type { Request } from 'express';
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
      const body: unknown = context.switchToHttp().getRequest<Request>().body;
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
      validateDto(dtoClass, context.switchToHttp().getRequest<Request>().body, ''),
    [documentBody(dto)],
  )(dto);
