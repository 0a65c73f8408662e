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

/** `/push/device/*`; `remove` is an alias of `delete` (the docs name it, the original never served it). */
@ApiTags('Device')
@Controller('push/device')
export class DeviceController {
  constructor(private readonly devices: DeviceService) {}

  @Post('create')
  @HttpCode(200)
  create(@RequestObject(CreateDeviceRequest) request: CreateDeviceRequest) {
    return this.devices.create(request);
  }

  @Post('create/multi')
  @HttpCode(200)
  createMulti(@RequestObject(CreateDeviceMultiRequest) request: CreateDeviceMultiRequest) {
    return this.devices.createMulti(request);
  }

  @Post('delete')
  @HttpCode(200)
  postDelete(@RequestObject(DeleteDeviceRequest) request: DeleteDeviceRequest) {
    return this.devices.delete(request);
  }

  @Delete('delete')
  deleteDelete(@RequestObject(DeleteDeviceRequest) request: DeleteDeviceRequest) {
    return this.devices.delete(request);
  }

  @Post('remove')
  @HttpCode(200)
  postRemove(@RequestObject(DeleteDeviceRequest) request: DeleteDeviceRequest) {
    return this.devices.delete(request);
  }

  @Delete('remove')
  deleteRemove(@RequestObject(DeleteDeviceRequest) request: DeleteDeviceRequest) {
    return this.devices.delete(request);
  }

  @Post('status/update')
  @HttpCode(200)
  postStatusUpdate(@BareBody(UpdateDeviceStatusRequest) request: UpdateDeviceStatusRequest) {
    return this.devices.updateStatus(request);
  }

  @Put('status/update')
  putStatusUpdate(@BareBody(UpdateDeviceStatusRequest) request: UpdateDeviceStatusRequest) {
    return this.devices.updateStatus(request);
  }
}
