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
import { ApiAccess, CallerAccess } from '../auth/api-access';

/** `/admin/app/*`, with every method alias and deprecated path of the original. */
@ApiTags('Administration')
@RequireScope('admin')
@Controller('admin/app')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  // `page` and `size` are not in the original: without them a list answers its first UNPAGED_LIST_MAX apps.
  @Get('list')
  list(@ValidQuery(PageQuery) query: PageQuery, @CallerAccess() access: ApiAccess) {
    return this.admin.list(pageRequestOf(query, UNPAGED_LIST_MAX), access);
  }

  @Get('unconfigured/list')
  listUnconfigured(@ValidQuery(PageQuery) query: PageQuery, @CallerAccess() access: ApiAccess) {
    return this.admin.listUnconfigured(pageRequestOf(query, UNPAGED_LIST_MAX), access);
  }

  @Post('detail')
  @HttpCode(200)
  detail(
    @RequestObject(ApplicationDetailRequest) request: ApplicationDetailRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.detail(request, access);
  }

  @Post('create')
  @HttpCode(200)
  create(@RequestObject(AppIdRequest) request: AppIdRequest, @CallerAccess() access: ApiAccess) {
    return this.admin.create(request, access);
  }

  @Post('apns')
  @HttpCode(200)
  postApns(@RequestObject(UpdateApnsRequest) request: UpdateApnsRequest, @CallerAccess() access: ApiAccess) {
    return this.admin.updateApns(request, access);
  }

  @Put('apns')
  putApns(@RequestObject(UpdateApnsRequest) request: UpdateApnsRequest, @CallerAccess() access: ApiAccess) {
    return this.admin.updateApns(request, access);
  }

  @Delete('apns')
  deleteApns(
    @ValidQuery(RequiredAppIdRequest) query: RequiredAppIdRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.removeApns(query.appId, access);
  }

  @Post('ios/update')
  @HttpCode(200)
  postIosUpdate(
    @RequestObject(UpdateApnsLegacyRequest) request: UpdateApnsLegacyRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.updateApnsLegacy(request, access);
  }

  @Put('ios/update')
  putIosUpdate(
    @RequestObject(UpdateApnsLegacyRequest) request: UpdateApnsLegacyRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.updateApnsLegacy(request, access);
  }

  @Post('ios/remove')
  @HttpCode(200)
  postIosRemove(@RequestObject(AppIdRequest) request: AppIdRequest, @CallerAccess() access: ApiAccess) {
    return this.admin.removeApns(this.admin.requireAppId(request), access);
  }

  @Delete('ios/remove')
  deleteIosRemove(@RequestObject(AppIdRequest) request: AppIdRequest, @CallerAccess() access: ApiAccess) {
    return this.admin.removeApns(this.admin.requireAppId(request), access);
  }

  @Post('fcm')
  @HttpCode(200)
  postFcm(@RequestObject(UpdateFcmRequest) request: UpdateFcmRequest, @CallerAccess() access: ApiAccess) {
    return this.admin.updateFcm(request, access);
  }

  @Put('fcm')
  putFcm(@RequestObject(UpdateFcmRequest) request: UpdateFcmRequest, @CallerAccess() access: ApiAccess) {
    return this.admin.updateFcm(request, access);
  }

  @Delete('fcm')
  deleteFcm(
    @ValidQuery(RequiredAppIdRequest) query: RequiredAppIdRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.removeFcm(query.appId, access);
  }

  @Post('android/update')
  @HttpCode(200)
  postAndroidUpdate(
    @RequestObject(UpdateFcmLegacyRequest) request: UpdateFcmLegacyRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.updateFcmLegacy(request, access);
  }

  @Put('android/update')
  putAndroidUpdate(
    @RequestObject(UpdateFcmLegacyRequest) request: UpdateFcmLegacyRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.updateFcmLegacy(request, access);
  }

  @Post('android/remove')
  @HttpCode(200)
  postAndroidRemove(@RequestObject(AppIdRequest) request: AppIdRequest, @CallerAccess() access: ApiAccess) {
    return this.admin.removeFcm(this.admin.requireAppId(request), access);
  }

  @Delete('android/remove')
  deleteAndroidRemove(@RequestObject(AppIdRequest) request: AppIdRequest, @CallerAccess() access: ApiAccess) {
    return this.admin.removeFcm(this.admin.requireAppId(request), access);
  }

  @Post('hms')
  @HttpCode(200)
  postHms(@RequestObject(UpdateHmsRequest) request: UpdateHmsRequest, @CallerAccess() access: ApiAccess) {
    return this.admin.updateHms(request, access);
  }

  @Put('hms')
  putHms(@RequestObject(UpdateHmsRequest) request: UpdateHmsRequest, @CallerAccess() access: ApiAccess) {
    return this.admin.updateHms(request, access);
  }

  @Delete('hms')
  deleteHms(
    @ValidQuery(RequiredAppIdRequest) query: RequiredAppIdRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.removeHms(query.appId, access);
  }

  @Post('huawei/update')
  @HttpCode(200)
  postHuaweiUpdate(
    @RequestObject(UpdateHmsRequest) request: UpdateHmsRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.updateHms(request, access);
  }

  @Put('huawei/update')
  putHuaweiUpdate(
    @RequestObject(UpdateHmsRequest) request: UpdateHmsRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.updateHms(request, access);
  }

  @Post('huawei/remove')
  @HttpCode(200)
  postHuaweiRemove(
    @RequestObject(RequiredAppIdRequest) request: RequiredAppIdRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.removeHms(request.appId, access);
  }

  @Delete('huawei/remove')
  deleteHuaweiRemove(
    @RequestObject(RequiredAppIdRequest) request: RequiredAppIdRequest,
    @CallerAccess() access: ApiAccess,
  ) {
    return this.admin.removeHms(request.appId, access);
  }
}
