/**
 * Tells this process's delivery worker that outbox rows were just written, so it delivers within
 * milliseconds instead of at its next poll. The rows are not committed yet when it fires: the
 * worker's read waits for the writer on SQLite (one connection) and, on PostgreSQL, the poll picks
 * up what the nudge was too early for (and what other processes commit).
 */
export class OutboxSignal {
  private readonly listeners: ((appendedFor?: readonly number[]) => void)[] = [];

  subscribe(listener: (appendedFor?: readonly number[]) => void): void {
    this.listeners.push(listener);
  }

  /**
   * With `appendedFor`, new events were only appended to those destinations' backlogs, behind
   * what they already hold (the audit recorder). Without, anything may have changed: a destination
   * switched back on, dead letters replayed, another thread's rows.
   */
  notify(appendedFor?: readonly number[]): void {
    for (const listener of this.listeners) listener(appendedFor);
  }
}
