import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs multi-statement writes in a transaction. TypeORM shares one connection for SQLite, where two open
 * transactions would nest into each other's savepoints; there they take turns.
 */
@Injectable()
export class TransactionRunner {
  private readonly serialize: boolean;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  /**
   * A synchronous SQLite transaction (better-sqlite3's own), run when no TypeORM transaction is open: started in the
   * middle of one, it would become a savepoint of it and vanish with its rollback.
   */
  runSync<T>(work: () => T): Promise<T> {
    if (!this.serialize) return Promise.resolve().then(work);
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialize) return this.dataSource.transaction(work);
    const result = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }
}
