import { ApiPropertyOptional } from '@nestjs/swagger';
import { OneOf, QueryDateTime, Text, Transformed } from '../../../common/validation/constraints';
import { PageQuery } from '../../../common/validation/page-query';
import { AUDIT_ACTIONS } from '../audit-actions';

const emptyAsAbsent = Transformed((value) => (value === '' ? undefined : value));

/** `GET /admin/audit/list?page=&size=&action=&appId=&from=&to=` */
export class AuditListQuery extends PageQuery {
  @ApiPropertyOptional({ description: `Only entries of this action: ${AUDIT_ACTIONS.join(', ')}` })
  @emptyAsAbsent
  @OneOf(AUDIT_ACTIONS)
  action?: string;

  @ApiPropertyOptional({ example: 'mobile-app', description: 'Only entries of this app' })
  @emptyAsAbsent
  @Text({ max: 255 })
  appId?: string;

  @ApiPropertyOptional({
    example: '2025-01-31T00:00:00Z',
    description: 'Only entries at or after this instant (ISO 8601; a date alone is midnight UTC)',
  })
  @QueryDateTime()
  from?: string;

  @ApiPropertyOptional({
    example: '2025-02-01',
    description: 'Only entries before this instant (exclusive; ISO 8601; a date alone is midnight UTC)',
  })
  @QueryDateTime()
  to?: string;
}
