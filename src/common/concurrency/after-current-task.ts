/**
 * Runs `callback` once the current task of the event loop is done: its own code and every promise callback it set
 * off, however deep the chain. Work started by one request, one group commit or one campaign page is collected by
 * then and can leave together.
 *
 * Not setImmediate: called from a setImmediate callback (a group commit), that waits for the next turn of the loop,
 * behind all the requests that turn reads. Not process.nextTick alone: called from plain code, a tick runs before
 * the promise callbacks.
 */
export function afterCurrentTask(callback: () => void): void {
  // A tick queued from a promise callback runs once the promise callbacks have all run.
  queueMicrotask(() => process.nextTick(callback));
}
