// A figure is one row of the table: Trove's value, the peer's (or Trove's own baseline) and
// their ratio, checked against the target. Values are medians of alternated rounds; the
// ratio of an A/B figure is the median of the rounds' own ratios (abFigure says why).

export interface Target {
  /** What the target constrains: the ratio, or Trove's own value (e.g. p95 in ms). */
  on: 'ratio' | 'value';
  op: '>=' | '>' | '<=';
  limit: number;
}

export interface Figure {
  name: string;
  unit: string;
  trove: number;
  /** The peer's value, or for Trove-only ratios the baseline (feature off); null when there is none. */
  peer: number | null;
  ratio: number | null;
  target: Target | null;
  pass: boolean | null;
  samples?: { trove: number[]; peer: number[] };
  /** A/B figures: Trove / peer of each round, and the ratio of the two medians, for comparison. */
  roundRatios?: number[];
  ratioOfMedians?: number;
  note?: string;
}

export const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)] + sorted[Math.ceil(mid)]) / 2;
};

export const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

export function figure(name: string, unit: string, trove: number, peer: number | null, target: Target | null, extra: Partial<Figure> = {}): Figure {
  const ratio = extra.ratio !== undefined ? extra.ratio : peer === null || peer === 0 ? null : trove / peer;
  const checked = target?.on === 'ratio' ? ratio : trove;
  const pass = target === null || checked === null ? null : target.op === '>=' ? checked >= target.limit : target.op === '>' ? checked > target.limit : checked <= target.limit;
  return { name, unit, trove, peer, ratio, target, pass, ...extra };
}

/** How many A/B rounds a figure takes, after how many discarded ones. */
export interface Rounds {
  rounds: number;
  /**
   * Rounds run first and thrown away: a freshly started server answers its first requests with
   * code the JIT has not optimised yet, and the first samples of the first figures came out up to
   * 40% below the later ones (e.g. 121, 168, 149, 192, 202 publishes/s).
   */
  warmupRounds: number;
}

/** Runs `plan.warmupRounds` discarded rounds, then `plan.rounds` rounds, each giving [A, B]; every sample of each side. */
async function rounds(plan: Rounds, round: (index: number) => Promise<[number, number]>): Promise<{ a: number[]; b: number[] }> {
  for (let warmup = 0; warmup < plan.warmupRounds; warmup++) await round(0);
  const samples = { a: [] as number[], b: [] as number[] };
  for (let index = 0; index < plan.rounds; index++) {
    const [a, b] = await round(index);
    samples.a.push(a);
    samples.b.push(b);
  }
  return samples;
}

/**
 * Runs `a` and `b` alternately (A B, B A, A B, ...) for `rounds` rounds so that drifting load on a
 * shared machine hits both sides alike, and returns every sample of each side (warm-up rounds not,
 * each A then B).
 */
function alternate(plan: Rounds, a: () => Promise<number>, b: () => Promise<number>): Promise<{ a: number[]; b: number[] }> {
  return rounds(plan, async (index) => {
    if (index % 2 === 0) {
      const first = await a();
      return [first, await b()];
    }
    const first = await b();
    return [await a(), first];
  });
}

/**
 * The figure of an A/B measurement: the median of each side, and as the ratio the median of the
 * rounds' ratios. A round measures A and B back to back, so its ratio shares the machine's load
 * and the server's state of that moment; the medians of each side may come from different rounds.
 * A freshly started Trove kept speeding up for about 2000 publishes: in one run the audit on/off
 * rounds gave 325/364, 315/350, 363/507, 481/494 and 513/542 publishes/s, rounds' ratios
 * 0.89-0.97 but for the one (0.72) that straddled the jump, while the ratio of the medians was
 * 0.74 (363 from round 3 over 494 from round 4). The JSON keeps that ratio too (ratioOfMedians).
 */
export async function abFigure(
  name: string,
  unit: string,
  plan: Rounds,
  trove: () => Promise<number>,
  peer: () => Promise<number>,
  target: Target | null,
  extra: Partial<Figure> = {},
): Promise<Figure> {
  const samples = await alternate(plan, trove, peer);
  return figureOfRounds(name, unit, samples, target, extra);
}

export function figureOfRounds(name: string, unit: string, samples: { a: number[]; b: number[] }, target: Target | null, extra: Partial<Figure>): Figure {
  const roundRatios = samples.a.map((a, i) => a / samples.b[i]!);
  const [a, b] = [median(samples.a), median(samples.b)];
  return figure(name, unit, a, b, target, { samples: { trove: samples.a, peer: samples.b }, roundRatios, ratio: median(roundRatios), ratioOfMedians: a / b, ...extra });
}

/**
 * An A/B figure whose every round measures both sides at once, interleaved by the load generator
 * (publish-worker.ts, InterleavedPublishJob): `round` returns [A, B]. Read as abFigure's.
 */
export async function pairedFigure(name: string, unit: string, plan: Rounds, round: () => Promise<[number, number]>, target: Target | null): Promise<Figure> {
  return figureOfRounds(name, unit, await rounds(plan, round), target, {});
}

export const atLeast = (limit: number, on: Target['on'] = 'ratio'): Target => ({ on, op: '>=', limit });
/** The ratio must exceed `limit` (e.g. more processes must do more than fewer). */
export const above = (limit: number, on: Target['on'] = 'ratio'): Target => ({ on, op: '>', limit });
export const atMost = (limit: number, on: Target['on'] = 'ratio'): Target => ({ on, op: '<=', limit });
