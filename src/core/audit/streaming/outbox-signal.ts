/**
 * Tells this process's delivery worker that outbox rows were just written, so it delivers within
 * milliseconds instead of at its next poll. The rows are not committed yet when it fires: the
 * worker's read waits for the writer on SQLite (one connection) and, on PostgreSQL, the poll picks
 * up what the nudge was too early for (and what other processes commit).
 */
export class OutboxSignal {
  private readonly listeners: (() => void)[] = [];

  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}
