import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { TransactionRunner } from '../../src/database/transaction-runner';

/** Group commit of synchronous SQLite writes: shared commit, one savepoint per write, order with async transactions. */
describe('TransactionRunner on SQLite', () => {
  let dir: string;
  let dataSource: DataSource;
  let runner: TransactionRunner;
  let raw: { prepare(sql: string): { run(...values: unknown[]): unknown } };
  let observer: Database.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'transaction-runner-'));
    const file = join(dir, 'db.sqlite');
    dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: file,
      prepareDatabase: (db: Database.Database) => {
        db.pragma('journal_mode = WAL');
      },
    }).initialize();
    await dataSource.query('CREATE TABLE item (name VARCHAR(20) PRIMARY KEY)');
    runner = new TransactionRunner(dataSource);
    raw = (dataSource.driver as unknown as { databaseConnection: typeof raw }).databaseConnection;
    // A second connection sees only what is committed.
    observer = new Database(file, { readonly: true });
  });

  afterEach(async () => {
    observer.close();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (name: string) => () => {
    raw.prepare('INSERT INTO item (name) VALUES (?)').run(name);
    return name;
  };
  const committed = () =>
    (observer.prepare('SELECT name FROM item ORDER BY name').all() as Array<{ name: string }>).map(
      (row) => row.name,
    );

  it('commits writes started in the same turn together, and settles each only once it is committed', async () => {
    const seenAtSettle: string[][] = [];
    const writes = ['a', 'b', 'c'].map((name) =>
      runner.runSync(insert(name)).then((value) => {
        seenAtSettle.push(committed());
        return value;
      }),
    );
    // Nothing runs in the turn that started the writes.
    expect(committed()).toEqual([]);
    await expect(Promise.all(writes)).resolves.toEqual(['a', 'b', 'c']);
    // Already when the first one settled, all three were on disk: one commit.
    expect(seenAtSettle).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
  });

  it('undoes and rejects only the write that throws, halfway through its statements included', async () => {
    const failing = () => {
      raw.prepare('INSERT INTO item (name) VALUES (?)').run('half-done');
      raw.prepare('INSERT INTO item (name) VALUES (?)').run('a'); // duplicate key: throws
    };
    const results = await Promise.allSettled([
      runner.runSync(insert('a')),
      runner.runSync(failing),
      runner.runSync(insert('b')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(committed()).toEqual(['a', 'b']);
  });

  it('keeps the order of a TypeORM transaction started between two writes', async () => {
    const order: string[] = [];
    const first = runner.runSync(() => order.push('sync-1'));
    const transaction = runner.run(async (manager) => {
      order.push('transaction-start');
      await manager.query(`INSERT INTO item (name) VALUES ('t')`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('transaction-end');
    });
    const second = runner.runSync(() => order.push('sync-2'));
    await Promise.all([first, transaction, second]);
    expect(order).toEqual(['sync-1', 'transaction-start', 'transaction-end', 'sync-2']);
    expect(committed()).toEqual(['t']);
  });
});
