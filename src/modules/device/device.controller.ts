import { Controller, Delete, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { BareBody, RequestObject } from '../../common/validation/request-object.decorator';
import { DeviceService } from './device.service';
import {
  CreateDeviceMultiRequest,
  CreateDeviceRequest,
  DeleteDeviceRequest,
  UpdateDeviceStatusRequest,
} from './dto/device.requests';
import { RequireScope } from '../auth/auth.decorators';
import { ApiAccess, CallerAccess } from '../auth/api-access';

/** `/push/device/*`; `remove` is an alias of `delete` (the docs name it, the original never served it). */
@ApiTags('Device')
@RequireScope('device')
@Controller('push/device')
export class DeviceController {
  constructor(private readonly devices: DeviceService) {}

  @Post('create')
  @HttpCode(200)
  create(
    @RequestObject(CreateDeviceRequest) request: CreateDeviceRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.devices.create(request, access);
  }

  @Post('create/multi')
  @HttpCode(200)
  createMulti(
    @RequestObject(CreateDeviceMultiRequest) request: CreateDeviceMultiRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.devices.createMulti(request, access);
  }

  @Post('delete')
  @HttpCode(200)
  postDelete(
    @RequestObject(DeleteDeviceRequest) request: DeleteDeviceRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.devices.delete(request, access);
  }

  @Delete('delete')
  deleteDelete(
    @RequestObject(DeleteDeviceRequest) request: DeleteDeviceRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.devices.delete(request, access);
  }

  @Post('remove')
  @HttpCode(200)
  postRemove(
    @RequestObject(DeleteDeviceRequest) request: DeleteDeviceRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.devices.delete(request, access);
  }

  @Delete('remove')
  deleteRemove(
    @RequestObject(DeleteDeviceRequest) request: DeleteDeviceRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.devices.delete(request, access);
  }

  // The PowerAuth server's activation status callback: a scope of its own, so that caller can do nothing else.
  @Post('status/update')
  @RequireScope('status-callback')
  @HttpCode(200)
  postStatusUpdate(
    @BareBody(UpdateDeviceStatusRequest) request: UpdateDeviceStatusRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.devices.updateStatus(request, access);
  }

  @Put('status/update')
  @RequireScope('status-callback')
  putStatusUpdate(
    @BareBody(UpdateDeviceStatusRequest) request: UpdateDeviceStatusRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.devices.updateStatus(request, access);
  }
}
