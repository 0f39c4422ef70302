import { TroveError } from '../core/errors.js';

/**
 * Runs an access change (a membership, a token); when it is refused with 403, `record` stores the
 * refusal with its message (in a transaction of its own: the change's is rolled back) before the
 * 403 is answered. Attempts to gain access one may not have are what access reviews look for.
 */
export async function recordingRefusal<T>(change: () => Promise<T>, record: (reason: string) => Promise<void>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof TroveError && error.statusCode === 403) await record(error.message);
    throw error;
  }
}
