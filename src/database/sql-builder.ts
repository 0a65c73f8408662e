import { DataSource } from 'typeorm';

type Dialect = 'sqlite' | 'mysql' | 'postgres';
export type SqlType = 'integer' | 'varchar' | 'timestamp';

/**
 * Builds one hand-written statement for any of the three dialects: placeholders ($n or ?), parameter values
 * (SQLite binds no Date), and the casts PostgreSQL needs to type a parameter inside CASE.
 */
export class SqlBuilder {
  readonly dialect: Dialect;
  readonly parameters: unknown[] = [];

  constructor(dataSource: DataSource) {
    const type = dataSource.options.type;
    this.dialect =
      type === 'postgres' ? 'postgres' : type === 'mysql' || type === 'mariadb' ? 'mysql' : 'sqlite';
  }

  /** A placeholder for `value`, typed on PostgreSQL when `type` is given. */
  param(value: unknown, type?: SqlType): string {
    this.parameters.push(this.dialect === 'sqlite' ? sqliteValue(value) : value);
    if (this.dialect !== 'postgres') return '?';
    const placeholder = `$${this.parameters.length}`;
    if (!type) return placeholder;
    return `${placeholder}::${type === 'timestamp' ? 'timestamp' : type}`;
  }

  /** A list of placeholders for an IN (...) clause. */
  list(values: unknown[]): string {
    return values.map((value) => this.param(value)).join(', ');
  }
}

// The rows of one page or send share their Date objects: each is formatted once.
const formattedDates = new WeakMap<Date, string>();

/** A value as SQLite binds it: no Date (TypeORM's UTC text form instead) and no boolean (0/1). */
export function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) {
    let text = formattedDates.get(value);
    if (text === undefined) {
      text = value.toISOString().replace('T', ' ').replace('Z', '');
      formattedDates.set(value, text);
    }
    return text;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}
