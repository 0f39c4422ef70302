// One error type for malformed sealing data (a checkpoint, signed note, verifier key or saved
// compact range that does not parse). Callers such as `trove audit verify` catch it and report
// its message as the reason; it is never an HTTP error, so it does not live in core/errors.ts.
export class SealFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealFormatError';
  }
}
