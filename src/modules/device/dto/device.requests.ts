import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OneOf, Text, TextList } from '../../../common/validation/constraints';

export const PLATFORMS = ['apns', 'fcm', 'hms', 'ios', 'android', 'huawei'] as const;
export const ENVIRONMENTS = ['development', 'production'] as const;
export const ACTIVATION_STATUSES = ['CREATED', 'PENDING_COMMIT', 'ACTIVE', 'BLOCKED', 'REMOVED'] as const;

const ID_MAX = 255;
const ACTIVATION_ID_MAX = 37;
const TOKEN_MAX = 255;
// A device shared by more activations than this is not a phone.
const ACTIVATION_IDS_MAX = 100;

/** Types and sizes only; missing values are answered by the service with the original's messages. */
class DeviceTokenFields {
  @ApiProperty({ example: 'mobile-app' })
  @Text({ max: ID_MAX })
  appId?: string | null;

  @ApiProperty({ example: '1234567890987654321234567890' })
  @Text({ max: TOKEN_MAX })
  token?: string | null;
}

class DeviceRegistrationFields extends DeviceTokenFields {
  @ApiProperty({ enum: PLATFORMS, description: 'Lowercase; ios/android/huawei are the legacy names.' })
  @OneOf(PLATFORMS)
  platform?: string | null;

  @ApiPropertyOptional({ enum: ENVIRONMENTS, nullable: true, description: 'APNs only; case-insensitive.' })
  @OneOf(ENVIRONMENTS, { caseInsensitive: true })
  environment?: string | null;

  @ApiPropertyOptional({ description: 'With activationStatus: skips the PowerAuth Server call.' })
  @Text({ max: ID_MAX })
  userId?: string | null;

  @ApiPropertyOptional({ enum: ACTIVATION_STATUSES })
  @OneOf(ACTIVATION_STATUSES)
  activationStatus?: string | null;
}

export class CreateDeviceRequest extends DeviceRegistrationFields {
  @ApiProperty({ example: '49414e31-f3df-4cea-87e6-f214ca3b8412' })
  @Text({ max: ACTIVATION_ID_MAX })
  activationId?: string | null;
}

export class CreateDeviceMultiRequest extends DeviceRegistrationFields {
  @ApiProperty({ type: [String], example: ['49414e31-f3df-4cea-87e6-f214ca3b8412'] })
  @TextList({ maxItems: ACTIVATION_IDS_MAX, itemMax: ACTIVATION_ID_MAX })
  activationIds?: string[] | null;
}

export class DeleteDeviceRequest extends DeviceTokenFields {}

/** The PowerAuth Server activation callback body (no envelope); other callback fields are ignored. */
export class UpdateDeviceStatusRequest {
  @ApiProperty({ example: '49414e31-f3df-4cea-87e6-f214ca3b8412' })
  @Text({ max: ACTIVATION_ID_MAX })
  activationId?: string | null;

  @ApiPropertyOptional({ enum: ACTIVATION_STATUSES, description: 'Absent: asked from the PowerAuth Server.' })
  @OneOf(ACTIVATION_STATUSES)
  activationStatus?: string | null;
}
