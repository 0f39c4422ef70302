import type { BenchConfig } from '../config.js';
import type { Figure } from '../figures.js';
export async function auditScale(_config: BenchConfig, _log: (l: string) => void): Promise<Figure[]> {
  return [];
}
