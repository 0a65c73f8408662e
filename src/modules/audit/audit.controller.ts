import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ValidQuery } from '../../common/validation/query.decorator';
import { ApiAccess, CallerAccess } from '../auth/api-access';
import { RequireScope } from '../auth/auth.decorators';
import { AuditService } from './audit.service';
import { AuditListQuery } from './dto/audit.requests';

/** `/admin/audit/*`: the audit log, read-only. Not in the original API. */
@ApiTags('Administration')
@RequireScope('admin')
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('list')
  @ApiOperation({ summary: 'A page of the audit log, newest first (not in the original API)' })
  @ApiQuery({ type: AuditListQuery })
  @ApiOkResponse({
    description:
      '`{status, responseObject: [{id, timestamp, action, clientName, clientKeyId, address, appId, resource, ' +
      'details}], page, size}`; see docs/audit-log.md',
  })
  list(@ValidQuery(AuditListQuery) query: AuditListQuery, @CallerAccess() access: ApiAccess) {
    return this.audit.list(query, access);
  }
}
