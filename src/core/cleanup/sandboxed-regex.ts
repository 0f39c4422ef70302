import { Script, createContext } from 'node:vm';

// Policy regexes are user input run by the server. JavaScript's backtracking engine can take
// exponential time on patterns such as (a+)+$, so each rule runs inside a vm context with a
// time limit: V8 interrupts the match when the limit passes and the rule is aborted, instead
// of the event loop (and with it every request) stalling.

/** The time one rule may take over all the names or versions of a run. */
export const DEFAULT_REGEX_TIME_LIMIT_MS = 500;

export class RegexTimeoutError extends Error {
  constructor(
    readonly source: string,
    readonly timeoutMs: number,
  ) {
    super(`regular expression ${JSON.stringify(source)} did not finish within ${timeoutMs} ms`);
    this.name = 'RegexTimeoutError';
  }
}

const MATCH_ALL = new Script('(() => { const pattern = new RegExp(source); return JSON.stringify(inputs.map((s) => pattern.test(s))); })()');

/** The inputs `source` matches (a search, like RegExp.test), or RegexTimeoutError after `timeoutMs`. */
export function matchingInputs(source: string, inputs: readonly string[], timeoutMs = DEFAULT_REGEX_TIME_LIMIT_MS): Set<string> {
  const context = createContext({ source, inputs: [...inputs] });
  let result: unknown;
  try {
    result = MATCH_ALL.runInContext(context, { timeout: timeoutMs });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new RegexTimeoutError(source, timeoutMs);
    throw error;
  }
  // A string crosses the context boundary as a plain value (arrays made inside would carry the other realm's prototypes).
  const matches = JSON.parse(result as string) as boolean[];
  return new Set(inputs.filter((_, i) => matches[i] === true));
}
