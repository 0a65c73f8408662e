/**
 * A portable description of tables, turned into dialect-specific DDL by the migrations. One definition serves
 * SQLite, MySQL/MariaDB and PostgreSQL.
 */
export type PortableType =
  | 'id' // integer primary key filled by the database (AUTO_INCREMENT, rowid, or the PowerAuth sequence)
  | 'integer'
  | 'varchar'
  | 'text'
  | 'longtext' // up to 64 K characters; MEDIUMTEXT on MySQL
  | 'binary'
  | 'boolean'
  | 'timestamp';

export interface ColumnSpec {
  name: string;
  type: PortableType;
  length?: number;
  nullable?: boolean;
  default?: 'now' | boolean | number;
}

export interface IndexSpec {
  name: string;
  columns: string[];
  unique?: boolean;
}

export interface TableSpec {
  name: string;
  /** PostgreSQL sequence that fills `id` (the PowerAuth names, shared with PowerAuth nodes). */
  sequence?: string;
  columns: ColumnSpec[];
  /** Composite primary key; tables with an `id` column use it. */
  primaryKey?: string[];
  indexes: IndexSpec[];
}
