import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ServiceStatusResponse {
  @ApiProperty({ example: 'powerauth-push' })
  applicationName: string;

  @ApiProperty({ example: 'PowerAuth Push Server' })
  applicationDisplayName: string;

  @ApiProperty({ example: '' })
  applicationEnvironment: string;

  @ApiPropertyOptional({ example: '0.1.0' })
  version?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  buildTime?: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  timestamp: Date;
}
