import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequestObject } from '../../common/validation/request-object.decorator';
import { ValidQuery } from '../../common/validation/query.decorator';
import { PageQuery, pageRequestOf, UNPAGED_LIST_MAX } from '../../common/validation/page-query';
import { AdminService } from './admin.service';
import {
  AppIdRequest,
  ApplicationDetailRequest,
  RequiredAppIdRequest,
  UpdateApnsLegacyRequest,
  UpdateApnsRequest,
  UpdateFcmLegacyRequest,
  UpdateFcmRequest,
  UpdateHmsRequest,
} from './dto/admin.requests';
import { RequireScope } from '../auth/auth.decorators';

/** `/admin/app/*`, with every method alias and deprecated path of the original. */
@ApiTags('Administration')
@RequireScope('admin')
@Controller('admin/app')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  // `page` and `size` are not in the original: without them a list answers its first UNPAGED_LIST_MAX apps.
  @Get('list')
  list(@ValidQuery(PageQuery) query: PageQuery) {
    return this.admin.list(pageRequestOf(query, UNPAGED_LIST_MAX));
  }

  @Get('unconfigured/list')
  listUnconfigured(@ValidQuery(PageQuery) query: PageQuery) {
    return this.admin.listUnconfigured(pageRequestOf(query, UNPAGED_LIST_MAX));
  }

  @Post('detail')
  @HttpCode(200)
  detail(@RequestObject(ApplicationDetailRequest) request: ApplicationDetailRequest) {
    return this.admin.detail(request);
  }

  @Post('create')
  @HttpCode(200)
  create(@RequestObject(AppIdRequest) request: AppIdRequest) {
    return this.admin.create(request);
  }

  @Post('apns')
  @HttpCode(200)
  postApns(@RequestObject(UpdateApnsRequest) request: UpdateApnsRequest) {
    return this.admin.updateApns(request);
  }

  @Put('apns')
  putApns(@RequestObject(UpdateApnsRequest) request: UpdateApnsRequest) {
    return this.admin.updateApns(request);
  }

  @Delete('apns')
  deleteApns(@ValidQuery(RequiredAppIdRequest) query: RequiredAppIdRequest) {
    return this.admin.removeApns(query.appId);
  }

  @Post('ios/update')
  @HttpCode(200)
  postIosUpdate(@RequestObject(UpdateApnsLegacyRequest) request: UpdateApnsLegacyRequest) {
    return this.admin.updateApnsLegacy(request);
  }

  @Put('ios/update')
  putIosUpdate(@RequestObject(UpdateApnsLegacyRequest) request: UpdateApnsLegacyRequest) {
    return this.admin.updateApnsLegacy(request);
  }

  @Post('ios/remove')
  @HttpCode(200)
  postIosRemove(@RequestObject(AppIdRequest) request: AppIdRequest) {
    return this.admin.removeApns(this.admin.requireAppId(request));
  }

  @Delete('ios/remove')
  deleteIosRemove(@RequestObject(AppIdRequest) request: AppIdRequest) {
    return this.admin.removeApns(this.admin.requireAppId(request));
  }

  @Post('fcm')
  @HttpCode(200)
  postFcm(@RequestObject(UpdateFcmRequest) request: UpdateFcmRequest) {
    return this.admin.updateFcm(request);
  }

  @Put('fcm')
  putFcm(@RequestObject(UpdateFcmRequest) request: UpdateFcmRequest) {
    return this.admin.updateFcm(request);
  }

  @Delete('fcm')
  deleteFcm(@ValidQuery(RequiredAppIdRequest) query: RequiredAppIdRequest) {
    return this.admin.removeFcm(query.appId);
  }

  @Post('android/update')
  @HttpCode(200)
  postAndroidUpdate(@RequestObject(UpdateFcmLegacyRequest) request: UpdateFcmLegacyRequest) {
    return this.admin.updateFcmLegacy(request);
  }

  @Put('android/update')
  putAndroidUpdate(@RequestObject(UpdateFcmLegacyRequest) request: UpdateFcmLegacyRequest) {
    return this.admin.updateFcmLegacy(request);
  }

  @Post('android/remove')
  @HttpCode(200)
  postAndroidRemove(@RequestObject(AppIdRequest) request: AppIdRequest) {
    return this.admin.removeFcm(this.admin.requireAppId(request));
  }

  @Delete('android/remove')
  deleteAndroidRemove(@RequestObject(AppIdRequest) request: AppIdRequest) {
    return this.admin.removeFcm(this.admin.requireAppId(request));
  }

  @Post('hms')
  @HttpCode(200)
  postHms(@RequestObject(UpdateHmsRequest) request: UpdateHmsRequest) {
    return this.admin.updateHms(request);
  }

  @Put('hms')
  putHms(@RequestObject(UpdateHmsRequest) request: UpdateHmsRequest) {
    return this.admin.updateHms(request);
  }

  @Delete('hms')
  deleteHms(@ValidQuery(RequiredAppIdRequest) query: RequiredAppIdRequest) {
    return this.admin.removeHms(query.appId);
  }

  @Post('huawei/update')
  @HttpCode(200)
  postHuaweiUpdate(@RequestObject(UpdateHmsRequest) request: UpdateHmsRequest) {
    return this.admin.updateHms(request);
  }

  @Put('huawei/update')
  putHuaweiUpdate(@RequestObject(UpdateHmsRequest) request: UpdateHmsRequest) {
    return this.admin.updateHms(request);
  }

  @Post('huawei/remove')
  @HttpCode(200)
  postHuaweiRemove(@RequestObject(RequiredAppIdRequest) request: RequiredAppIdRequest) {
    return this.admin.removeHms(request.appId);
  }

  @Delete('huawei/remove')
  deleteHuaweiRemove(@RequestObject(RequiredAppIdRequest) request: RequiredAppIdRequest) {
    return this.admin.removeHms(request.appId);
  }
}
