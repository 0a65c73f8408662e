import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { inSqliteTransaction, sqliteConnectionOf } from './sqlite-connection';

interface GroupedWrite {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs multi-statement writes in a transaction. TypeORM shares one connection for SQLite, where two open
 * transactions would nest into each other's savepoints; there they take turns.
 */
@Injectable()
export class TransactionRunner {
  private readonly serialize: boolean;
  private tail: Promise<unknown> = Promise.resolve();
  /** Synchronous writes still taking joiners: they commit together. */
  private openGroup?: GroupedWrite[];

  constructor(private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  /**
   * A synchronous SQLite write (better-sqlite3's own transaction), run when no TypeORM transaction is open: started
   * in the middle of one, it would become a savepoint of it and vanish with its rollback.
   *
   * Writes started in the same turn of the event loop share one commit (group commit): a commit costs more than a
   * small send's inserts (WAL frames written page by page), and fifty concurrent callers each paid it. Each write
   * runs in its own savepoint, so one that throws is undone alone and rejects alone (`work` needs no transaction of
   * its own); the promise of every write settles only after the shared commit.
   */
  runSync<T>(work: () => T): Promise<T> {
    if (!this.serialize) return Promise.resolve().then(work);
    return new Promise<T>((resolve, reject) => {
      const write: GroupedWrite = { work, resolve: resolve as (value: unknown) => void, reject };
      if (this.openGroup) {
        this.openGroup.push(write);
        return;
      }
      const group = [write];
      this.openGroup = group;
      const result = this.tail
        .then(() => new Promise<void>((next) => setImmediate(next)))
        .then(() => this.commitGroup(group));
      this.tail = result.catch(() => undefined);
    });
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialize) return this.dataSource.transaction(work);
    // Writes started after this one wait for it: the open group takes no more joiners.
    this.openGroup = undefined;
    const result = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private commitGroup(group: GroupedWrite[]): void {
    if (this.openGroup === group) this.openGroup = undefined;
    const db = sqliteConnectionOf(this.dataSource);
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      inSqliteTransaction(db, () => {
        for (const write of group) {
          try {
            // Nested: a savepoint, rolled back alone when the write throws.
            outcomes.push({ ok: true, value: inSqliteTransaction(db, write.work) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of the group is stored.
      for (const write of group) write.reject(error);
      return;
    }
    group.forEach((write, index) => {
      const outcome = outcomes[index];
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }
}
