import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** `PushServerApplication`; keys follow API_NAMING (apns/fcm/hms or ios/android/huawei). */
export class PushServerApplication {
  @ApiProperty({ example: 'mobile-app' }) appId: string;
  @ApiPropertyOptional() apns?: boolean;
  @ApiPropertyOptional() fcm?: boolean;
  @ApiPropertyOptional() hms?: boolean;
}

export class ApplicationListResponse {
  @ApiProperty({ type: [PushServerApplication] }) applicationList: PushServerApplication[];
}

export class CreateApplicationResponse {
  @ApiProperty({ example: 'mobile-app' }) appId: string;
}

export class ApplicationDetailResponse {
  @ApiProperty({ type: PushServerApplication }) application: PushServerApplication;
  @ApiPropertyOptional() apnsBundle?: string;
  @ApiPropertyOptional() apnsKeyId?: string;
  @ApiPropertyOptional() apnsTeamId?: string;
  @ApiPropertyOptional({ enum: ['development', 'production'] }) apnsEnvironment?: string;
  @ApiPropertyOptional() fcmProjectId?: string;
  @ApiPropertyOptional() hmsProjectId?: string;
}
