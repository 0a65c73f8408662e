import { DataSource, QueryRunner, Table } from 'typeorm';

/**
 * Compares what the entities map with what the migrations built: every entity column exists with the same type
 * family, length and nullability, every table column is mapped, and the indexes match by name, columns and
 * uniqueness. Returns the differences (empty when there is no drift).
 */
const FAMILIES: Record<string, string[]> = {
  integer: ['int', 'integer', 'bigint', 'int4', 'int8'],
  varchar: ['varchar', 'character varying'],
  text: ['text', 'mediumtext', 'longtext'],
  binary: ['blob', 'bytea', 'longblob', 'mediumblob'],
  boolean: ['boolean', 'bool', 'tinyint'],
  timestamp: ['timestamp', 'timestamp without time zone', 'datetime'],
};

function familyOf(type: string): string {
  const normalized = type.toLowerCase();
  return (
    Object.entries(FAMILIES).find(([, members]) => members.includes(normalized))?.[0] ?? `other:${normalized}`
  );
}

export async function findSchemaDrift(dataSource: DataSource): Promise<string[]> {
  const problems: string[] = [];
  const runner = dataSource.createQueryRunner();
  try {
    for (const entity of dataSource.entityMetadatas) {
      const table: Table | undefined = await runner.getTable(entity.tableName);
      if (!table) {
        problems.push(`table ${entity.tableName} is missing`);
        continue;
      }
      for (const column of entity.columns) {
        const actual = table.findColumnByName(column.databaseName);
        const where = `${entity.tableName}.${column.databaseName}`;
        if (!actual) {
          problems.push(`column ${where} is missing`);
          continue;
        }
        const expectedFamily = familyOf(dataSource.driver.normalizeType(column));
        if (familyOf(actual.type) !== expectedFamily) {
          problems.push(`column ${where} is ${actual.type}, entity expects ${expectedFamily}`);
        }
        if (
          expectedFamily === 'varchar' &&
          column.length &&
          String(actual.length) !== String(column.length)
        ) {
          problems.push(`column ${where} has length ${actual.length}, entity expects ${column.length}`);
        }
        if (!column.isPrimary && actual.isNullable !== column.isNullable) {
          problems.push(`column ${where} nullable=${actual.isNullable}, entity expects ${column.isNullable}`);
        }
        if (column.isPrimary !== actual.isPrimary) {
          problems.push(`column ${where} primary=${actual.isPrimary}, entity expects ${column.isPrimary}`);
        }
      }
      for (const actual of table.columns) {
        if (!entity.columns.some((column) => column.databaseName === actual.name)) {
          problems.push(`column ${entity.tableName}.${actual.name} is not mapped by ${entity.name}`);
        }
      }
      // TypeORM reads PostgreSQL index columns in table-column order, not index order: ask the catalog.
      const ordered =
        dataSource.options.type === 'postgres' ? await postgresIndexColumns(runner, entity.tableName) : {};
      const tableIndexes = [
        ...table.indices.map((i) => ({
          name: i.name,
          columns: ordered[i.name!] ?? i.columnNames,
          unique: !!i.isUnique,
        })),
        ...table.uniques.map((u) => ({
          name: u.name,
          columns: ordered[u.name!] ?? u.columnNames,
          unique: true,
        })),
      ];
      for (const index of entity.indices) {
        const actual = tableIndexes.find((i) => i.name === index.name);
        const columns = index.columns.map((c) => c.databaseName);
        if (!actual) {
          problems.push(`index ${index.name} on ${entity.tableName} is missing`);
        } else if (actual.columns.join(',') !== columns.join(',') || actual.unique !== index.isUnique) {
          problems.push(
            `index ${index.name} is (${actual.columns.join(',')}) unique=${actual.unique}, ` +
              `entity expects (${columns.join(',')}) unique=${index.isUnique}`,
          );
        }
      }
      for (const actual of tableIndexes) {
        if (!entity.indices.some((index) => index.name === actual.name)) {
          problems.push(`index ${actual.name} on ${entity.tableName} is not declared by ${entity.name}`);
        }
      }
    }
  } finally {
    await runner.release();
  }
  return problems;
}

/** The columns of each index of a PostgreSQL table, in index order. */
async function postgresIndexColumns(runner: QueryRunner, table: string): Promise<Record<string, string[]>> {
  const rows: Array<{ index_name: string; column_name: string }> = await runner.query(
    `SELECT i.relname AS index_name, a.attname AS column_name
     FROM pg_index ix
     JOIN pg_class t ON t.oid = ix.indrelid
     JOIN pg_class i ON i.oid = ix.indexrelid
     JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, position) ON true
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace
     ORDER BY i.relname, k.position`,
    [table],
  );
  const columns: Record<string, string[]> = {};
  for (const row of rows) (columns[row.index_name] ??= []).push(row.column_name);
  return columns;
}
