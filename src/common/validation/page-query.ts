import { ApiPropertyOptional } from '@nestjs/swagger';
import { QueryInt } from './constraints';

/** Spring Pageable's default page size, which the original answers with when `size` is missing. */
export const DEFAULT_PAGE_SIZE = 20;
/** No request may load an unbounded result: a larger `size` is a 400. */
export const MAX_PAGE_SIZE = 1000;
/**
 * Lists the original answers whole (campaigns, apps, unconfigured apps): without `page` and `size` they answer the
 * first this many rows; `?page=&size=` reaches the rest, in the same order and the same response shape.
 */
export const UNPAGED_LIST_MAX = 1000;

/** `?page=&size=` of a paged list: page 0-based, size 1..MAX_PAGE_SIZE. Extend it with the endpoint's filters. */
export class PageQuery {
  @ApiPropertyOptional({ description: 'Page number, 0-based', default: 0 })
  @QueryInt({ min: 0, max: 2147483647 })
  page?: string;

  @ApiPropertyOptional({ description: 'Page size', default: DEFAULT_PAGE_SIZE })
  @QueryInt({ min: 1, max: MAX_PAGE_SIZE })
  size?: string;
}

export interface PageRequest {
  page: number;
  size: number;
  /** Rows to skip. */
  offset: number;
}

/** The page a validated PageQuery asks for, with the defaults filled in. */
export function pageRequestOf(query: PageQuery, defaultSize = DEFAULT_PAGE_SIZE): PageRequest {
  const page = query.page === undefined || query.page === '' ? 0 : Number(query.page);
  const size = query.size === undefined || query.size === '' ? defaultSize : Number(query.size);
  return { page, size, offset: page * size };
}
