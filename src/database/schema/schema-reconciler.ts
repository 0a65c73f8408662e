import { Logger } from '@nestjs/common';
import { QueryRunner, Table, TableColumn, TableColumnOptions, TableIndex } from 'typeorm';
import { ColumnSpec, TableSpec } from './schema-spec';

type Dialect = 'sqlite' | 'mysql' | 'postgres';

const logger = new Logger('SchemaReconciler');

export function dialectOf(queryRunner: QueryRunner): Dialect {
  const type = queryRunner.connection.driver.options.type;
  if (type === 'postgres') return 'postgres';
  if (type === 'mysql' || type === 'mariadb') return 'mysql';
  return 'sqlite';
}

export interface ReconcileHooks {
  /** Called once columns were added to a table that already existed (for data back-fills). */
  afterColumnsAdded?: (queryRunner: QueryRunner, table: string, columns: string[]) => Promise<void>;
}

/**
 * Brings the tables to `specs` without touching what is already there: missing tables are created, missing columns
 * and indexes added. This is how the server starts on a database that a PowerAuth Push Server already uses.
 */
export async function reconcileTables(
  queryRunner: QueryRunner,
  specs: TableSpec[],
  hooks: ReconcileHooks = {},
): Promise<void> {
  const dialect = dialectOf(queryRunner);
  for (const spec of specs) {
    const sequenceCreated =
      dialect === 'postgres' && spec.sequence ? await ensureSequence(queryRunner, spec.sequence) : false;
    const existing = await queryRunner.getTable(spec.name);
    if (!existing) {
      await queryRunner.createTable(
        new Table({
          name: spec.name,
          columns: spec.columns.map((column) => columnOptions(dialect, spec, column)),
          indices: spec.indexes.map(
            (index) =>
              new TableIndex({ name: index.name, columnNames: index.columns, isUnique: !!index.unique }),
          ),
        }),
        false,
        false,
        true,
      );
      continue;
    }
    const addedColumns: string[] = [];
    for (const column of spec.columns) {
      if (existing.findColumnByName(column.name)) continue;
      await queryRunner.addColumn(spec.name, new TableColumn(columnOptions(dialect, spec, column)));
      addedColumns.push(column.name);
    }
    if (addedColumns.length > 0) await hooks.afterColumnsAdded?.(queryRunner, spec.name, addedColumns);
    let added = addedColumns.length;
    if (spec.columns.some((column) => column.type === 'id')) {
      await ensureIdGeneration(queryRunner, dialect, spec, existing, sequenceCreated);
    }
    const knownIndexes = new Set([
      ...existing.indices.map((i) => i.name),
      ...existing.uniques.map((u) => u.name),
    ]);
    for (const index of spec.indexes) {
      if (knownIndexes.has(index.name)) continue;
      await queryRunner.createIndex(
        spec.name,
        new TableIndex({ name: index.name, columnNames: index.columns, isUnique: !!index.unique }),
      );
      added++;
    }
    if (added > 0) logger.log(`Existing table ${spec.name}: added ${added} missing column(s) or index(es)`);
  }
}

function columnOptions(dialect: Dialect, table: TableSpec, column: ColumnSpec): TableColumnOptions {
  const options = typedColumnOptions(dialect, table, column);
  return table.primaryKey?.includes(column.name)
    ? { ...options, isPrimary: true, primaryKeyConstraintName: `${table.name}_pkey` }
    : options;
}

function typedColumnOptions(dialect: Dialect, table: TableSpec, column: ColumnSpec): TableColumnOptions {
  const base: TableColumnOptions = { name: column.name, type: '', isNullable: !!column.nullable };
  const textCollation = dialect === 'mysql' ? { collation: 'utf8mb4_bin', charset: 'utf8mb4' } : {};
  switch (column.type) {
    case 'id':
      if (dialect === 'postgres') {
        return {
          ...base,
          type: 'integer',
          isPrimary: true,
          primaryKeyConstraintName: `${table.name}_pkey`,
          default: `nextval('${table.sequence}')`,
        };
      }
      return {
        ...base,
        type: dialect === 'mysql' ? 'int' : 'integer',
        isPrimary: true,
        isGenerated: true,
        generationStrategy: 'increment',
      };
    case 'integer':
      return { ...base, type: dialect === 'mysql' ? 'int' : 'integer', default: numericDefault(column) };
    case 'varchar':
      return { ...base, type: 'varchar', length: String(column.length ?? 255), ...textCollation };
    case 'text':
      return { ...base, type: 'text', ...textCollation };
    case 'longtext':
      return { ...base, type: dialect === 'mysql' ? 'mediumtext' : 'text', ...textCollation };
    case 'binary':
      return { ...base, type: dialect === 'postgres' ? 'bytea' : 'blob' };
    case 'boolean':
      return {
        ...base,
        type: dialect === 'postgres' ? 'boolean' : dialect === 'mysql' ? 'tinyint' : 'boolean',
        default:
          column.default === undefined
            ? undefined
            : dialect === 'postgres'
              ? String(column.default)
              : column.default
                ? '1'
                : '0',
      };
    case 'timestamp':
      return {
        ...base,
        type: dialect === 'postgres' ? 'timestamp' : 'datetime',
        precision: dialect === 'mysql' ? 6 : undefined,
        default:
          column.default === 'now'
            ? dialect === 'postgres'
              ? 'now()'
              : dialect === 'mysql'
                ? 'CURRENT_TIMESTAMP(6)'
                : 'CURRENT_TIMESTAMP'
            : undefined,
      };
  }
}

function numericDefault(column: ColumnSpec): string | undefined {
  return typeof column.default === 'number' ? String(column.default) : undefined;
}

async function ensureSequence(queryRunner: QueryRunner, sequence: string): Promise<boolean> {
  const rows: { found: string | null }[] = await queryRunner.query(`SELECT to_regclass($1)::text AS found`, [
    sequence,
  ]);
  if (rows[0]?.found) return false;
  await queryRunner.query(`CREATE SEQUENCE "${sequence}" START 1 INCREMENT 1 CACHE 20`);
  return true;
}

/** Tables written by PowerAuth (Hibernate assigns ids itself) get a database-side id default, so our inserts work. */
async function ensureIdGeneration(
  queryRunner: QueryRunner,
  dialect: Dialect,
  spec: TableSpec,
  existing: Table,
  sequenceCreated: boolean,
): Promise<void> {
  const id = existing.findColumnByName('id');
  if (!id) return;
  if (dialect === 'postgres') {
    if (sequenceCreated) {
      await queryRunner.query(
        `SELECT setval('${spec.sequence}', COALESCE((SELECT MAX(id) FROM "${spec.name}"), 0) + 1, false)`,
      );
    }
    if (id.default === undefined && !id.isGenerated) {
      await queryRunner.query(
        `ALTER TABLE "${spec.name}" ALTER COLUMN "id" SET DEFAULT nextval('${spec.sequence}')`,
      );
    }
  } else if (dialect === 'mysql' && !id.isGenerated) {
    await queryRunner.query(
      `ALTER TABLE \`${spec.name}\` MODIFY \`id\` ${id.type}${id.unsigned ? ' unsigned' : ''} NOT NULL AUTO_INCREMENT`,
    );
  }
}
