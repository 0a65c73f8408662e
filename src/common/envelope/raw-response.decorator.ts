import { SetMetadata } from '@nestjs/common';

export const RAW_RESPONSE = 'push:raw-response';

/** Marks a handler whose result is written as is, outside the envelope (health probes). */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);
