/** Driver-independent classification of database errors (SQLite, MySQL/MariaDB, PostgreSQL). */

function driverError(error: unknown): { code?: unknown; errno?: unknown } {
  if (error === null || typeof error !== 'object') return {};
  const withDriver = error as { driverError?: unknown };
  const inner =
    withDriver.driverError && typeof withDriver.driverError === 'object' ? withDriver.driverError : error;
  return inner as { code?: unknown; errno?: unknown };
}

/** A unique index refused the row: a registration race that a retry resolves. */
export function isUniqueViolation(error: unknown): boolean {
  const { code, errno } = driverError(error);
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'ER_DUP_ENTRY' ||
    errno === 1062 ||
    code === '23505'
  );
}

/** Any constraint or value-size violation: answered 409 ERROR_DATA_INTEGRITY. */
export function isIntegrityViolation(error: unknown): boolean {
  if (isUniqueViolation(error)) return true;
  const { code, errno } = driverError(error);
  if (
    typeof code === 'string' &&
    (code.startsWith('SQLITE_CONSTRAINT') || code.startsWith('SQLITE_TOOBIG'))
  ) {
    return true;
  }
  if (typeof code === 'string' && /^(22001|23\d{3})$/.test(code)) return true;
  return errno === 1406 || errno === 1048 || errno === 1452 || errno === 1451;
}
