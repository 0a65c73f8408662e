import { Injectable, Logger } from '@nestjs/common';
import { afterCurrentTask } from '../../../common/concurrency/after-current-task';
import { PushMessageRepository, StatusUpdate } from '../push-message.repository';

interface Pending {
  update: StatusUpdate;
  resolve: () => void;
}

const MAX_BATCH = 300;
const RETRY_DELAY_MS = 1000;

/**
 * Collects row updates from many concurrent sends and writes them in one statement per batch, so recording an
 * outcome does not cost a round trip per device. A failed write is retried; nothing is dropped.
 */
@Injectable()
export class StatusWriter {
  private readonly logger = new Logger('StatusWriter');
  private buffer: Pending[] = [];
  private scheduled = false;
  private writing?: Promise<void>;

  constructor(private readonly messages: PushMessageRepository) {}

  /** Resolves once the update is stored. */
  write(update: StatusUpdate): Promise<void> {
    return new Promise((resolve) => {
      this.buffer.push({ update, resolve });
      this.schedule();
    });
  }

  /** Writes everything buffered, waiting for writes in progress. */
  async flush(): Promise<void> {
    while (this.writing || this.buffer.length > 0) {
      if (this.writing) await this.writing;
      else await this.writeBatch();
    }
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    // Once the current task is done: the outcomes of one provider answer (or of one worker message) share the
    // statement. Not setImmediate: called from one (a group commit), the write and the answers it holds back would
    // wait a turn; here the write joins the group commit of this turn.
    afterCurrentTask(() => {
      this.scheduled = false;
      void this.writeBatch();
    });
  }

  private async writeBatch(): Promise<void> {
    if (this.writing || this.buffer.length === 0) return;
    const batch = this.buffer.splice(0, MAX_BATCH);
    this.writing = (async () => {
      try {
        await this.messages.applyUpdates(batch.map((pending) => pending.update));
        for (const pending of batch) pending.resolve();
      } catch (error) {
        this.logger.error(
          `Writing ${batch.length} message status(es) failed, retrying: ${(error as Error).message}`,
        );
        this.buffer.unshift(...batch);
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      }
    })();
    await this.writing;
    this.writing = undefined;
    if (this.buffer.length > 0) this.schedule();
  }
}
