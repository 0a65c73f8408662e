import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Bool, OneOf, Text } from '../../../common/validation/constraints';

const ID_MAX = 255;
// A .p8 key is ~250 bytes and a service-account JSON ~2.5 KB; Base64 of 64 KB is far beyond either.
const KEY_BASE64_MAX = 65536;
export const APNS_ENVIRONMENTS = ['development', 'production'] as const;

/** Hand-validated endpoints: only types and sizes here; the service answers missing values with fixed messages. */
export class AppIdRequest {
  @ApiProperty({ example: 'mobile-app' })
  @Text({ max: ID_MAX })
  appId?: string | null;
}

/** Bean-Validation endpoints (`huawei/remove`, query `appId`): blank is a violation. */
export class RequiredAppIdRequest {
  @ApiProperty({ example: 'mobile-app' })
  @Text({ notBlank: true, max: ID_MAX })
  appId: string;
}

export class ApplicationDetailRequest extends AppIdRequest {
  @ApiPropertyOptional() @Bool() includeApns?: boolean | null;
  @ApiPropertyOptional() @Bool() includeFcm?: boolean | null;
  @ApiPropertyOptional() @Bool() includeHms?: boolean | null;
  @ApiPropertyOptional({ deprecated: true }) @Bool() includeIos?: boolean | null;
  @ApiPropertyOptional({ deprecated: true }) @Bool() includeAndroid?: boolean | null;
  @ApiPropertyOptional({ deprecated: true }) @Bool() includeHuawei?: boolean | null;
}

export class UpdateApnsRequest {
  @ApiProperty({ example: 'mobile-app' }) @Text({ notBlank: true, max: ID_MAX }) appId: string;
  @ApiProperty({ example: 'com.example.app' }) @Text({ notBlank: true, max: ID_MAX }) bundle: string;
  @ApiProperty({ example: 'KEYID12345' }) @Text({ notBlank: true, max: ID_MAX }) keyId: string;
  @ApiProperty({ example: 'TEAMID1234' }) @Text({ notBlank: true, max: ID_MAX }) teamId: string;

  @ApiProperty({ enum: APNS_ENVIRONMENTS, description: 'Case-insensitive.' })
  @OneOf(APNS_ENVIRONMENTS, { notNull: true, caseInsensitive: true })
  environment: string;

  @ApiProperty({ description: 'The .p8 key file, Base64-encoded.' })
  @Text({ notBlank: true, max: KEY_BASE64_MAX, secret: true })
  privateKeyBase64: string;
}

/** `/admin/app/ios/update` (deprecated): hand-validated, and `environment` may be null (global default). */
export class UpdateApnsLegacyRequest extends AppIdRequest {
  @ApiProperty() @Text({ max: ID_MAX }) bundle?: string | null;
  @ApiProperty() @Text({ max: ID_MAX }) keyId?: string | null;
  @ApiProperty() @Text({ max: ID_MAX }) teamId?: string | null;

  @ApiPropertyOptional({ enum: APNS_ENVIRONMENTS, nullable: true })
  @OneOf(APNS_ENVIRONMENTS, { caseInsensitive: true })
  environment?: string | null;

  @ApiProperty() @Text({ max: KEY_BASE64_MAX, secret: true }) privateKeyBase64?: string | null;
}

export class UpdateFcmRequest {
  @ApiProperty({ example: 'mobile-app' }) @Text({ notBlank: true, max: ID_MAX }) appId: string;
  @ApiProperty({ example: 'my-firebase-project' }) @Text({ notBlank: true, max: ID_MAX }) projectId: string;

  @ApiProperty({ description: 'The Firebase service-account JSON, Base64-encoded.' })
  @Text({ notBlank: true, max: KEY_BASE64_MAX, secret: true })
  privateKeyBase64: string;
}

/** `/admin/app/android/update` (deprecated): hand-validated. */
export class UpdateFcmLegacyRequest extends AppIdRequest {
  @ApiProperty() @Text({ max: ID_MAX }) projectId?: string | null;
  @ApiProperty() @Text({ max: KEY_BASE64_MAX, secret: true }) privateKeyBase64?: string | null;
}

export class UpdateHmsRequest {
  @ApiProperty({ example: 'mobile-app' }) @Text({ notBlank: true, max: ID_MAX }) appId: string;
  @ApiProperty() @Text({ notBlank: true, max: ID_MAX }) projectId: string;
  @ApiProperty({ description: 'OAuth 2.0 client ID' })
  @Text({ notBlank: true, max: ID_MAX })
  clientId: string;
  @ApiProperty({ description: 'OAuth 2.0 client secret' })
  @Text({ notBlank: true, max: ID_MAX, secret: true })
  clientSecret: string;
}
