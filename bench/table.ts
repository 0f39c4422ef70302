import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, hostname, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Figure } from './figures.js';

// The one table the issue asks for (figure, Trove, peer, ratio, target, pass/fail), and the same
// figures with their samples and the machine as bench/results/<timestamp>.json.

function num(value: number | null): string {
  // NaN: a side that could not be measured in this run (its row's note says why).
  if (value === null || Number.isNaN(value)) return '-';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function targetText(figure: Figure): string {
  const t = figure.target;
  if (!t) return '-';
  const op = t.op === '>=' ? '≥' : t.op === '>' ? '>' : '≤';
  return t.on === 'ratio' ? `${op} ${t.limit}×` : `${op} ${t.limit} ${figure.unit}`;
}

export function renderTable(figures: Figure[], peerName: string): string {
  const head = ['figure', 'unit', 'Trove', peerName, 'ratio', 'target', 'result'];
  const rows = figures.map((f) => [f.name, f.unit, num(f.trove), num(f.peer), f.ratio === null ? '-' : `${num(f.ratio)}×`, targetText(f), f.pass === null ? '-' : f.pass ? 'pass' : 'FAIL']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  // Notes say what a row's figures alone cannot (e.g. how much of mvn's time is mvn's own).
  const notes = figures.filter((f) => f.note).map((f) => `- ${f.name}: ${f.note}`);
  return [line(head), rule, ...rows.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

export function machine() {
  return {
    hostname: hostname(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    arch: arch(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage1m: loadavg()[0],
  };
}

export function writeResults(dir: string, mode: string, figures: Figure[], extra: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${mode}.json`);
  writeFileSync(file, JSON.stringify({ mode, date: new Date().toISOString(), machine: machine(), ...extra, figures }, null, 2) + '\n');
  return file;
}
