import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from '../admin/admin.module';
import { DeviceController } from './device.controller';
import { DeviceRegistrationRepository } from './device-registration.repository';
import { DeviceService } from './device.service';
import { DeviceRegistrationEntity } from './entities/device-registration.entity';

@Module({
  imports: [TypeOrmModule.forFeature([DeviceRegistrationEntity]), AdminModule],
  controllers: [DeviceController],
  providers: [DeviceService, DeviceRegistrationRepository],
  exports: [DeviceRegistrationRepository],
})
export class DeviceModule {}
