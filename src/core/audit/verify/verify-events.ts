// What `trove audit verify` reads, one per line or row: a record, or why the input could not
// even be read as one. Its own module so that the verifier's parts (verify-log.ts,
// record-check.ts, the JSONL readers) share it without importing one another.

/** An input line or row that could not even be read as a record (bad JSON, edited columns). */
export class InvalidEvent {
  constructor(readonly reason: string) {}
}

export type VerifyEvent = Record<string, unknown> | InvalidEvent;
