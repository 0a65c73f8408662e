import { Column, ColumnOptions, getMetadataArgsStorage } from 'typeorm';
import type { DatabaseDialect } from '../common/config/app-config';

/**
 * TypeORM has no binary column type that all three dialects accept (BYTEA on PostgreSQL, BLOB elsewhere), and
 * entity decorators run before the configuration is known; so binary columns are declared here and given their
 * dialect's type when the data source is built.
 */
const binaryColumns = new Set<string>();

const keyOf = (target: object, property: string) => `${(target as { name?: string }).name}.${property}`;

export function BinaryColumn(options: Omit<ColumnOptions, 'type'>): PropertyDecorator {
  return (target, property) => {
    Column({ ...options, type: 'blob' })(target, property);
    binaryColumns.add(keyOf(target.constructor, String(property)));
  };
}

export function applyDialectColumnTypes(dialect: DatabaseDialect): void {
  const type = dialect === 'postgres' ? 'bytea' : 'blob';
  for (const column of getMetadataArgsStorage().columns) {
    if (typeof column.target === 'function' && binaryColumns.has(keyOf(column.target, column.propertyName))) {
      column.options.type = type;
    }
  }
}
