import { SetMetadata } from '@nestjs/common';
import type { ApiScope } from './api-scopes';

export const SCOPE_METADATA = 'pushServer:scope';
export const PUBLIC_METADATA = 'pushServer:public';

/** The scope a client needs for the routes of a controller, or one route (the route's own wins). */
export const RequireScope = (scope: ApiScope) => SetMetadata(SCOPE_METADATA, scope);

/** A route anyone may call without credentials (health probes, service status); documented in docs/security.md. */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);
