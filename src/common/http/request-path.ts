/** A request's path without its query, as it arrived (not decoded). */
export function requestPath(request: { url: string }): string {
  const query = request.url.indexOf('?');
  return query < 0 ? request.url : request.url.slice(0, query);
}
