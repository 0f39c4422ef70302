import { readdirSync, readFileSync } from 'node:fs';

// Where the machine's CPU went during a measurement (Linux /proc): how busy all cores were, and
// the CPU time of given processes and of every PostgreSQL server process. The scale-out row logs
// it, so that a figure bounded by the machine's cores shows as such.

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface CpuSnapshot {
  busyTicks: number;
  totalTicks: number;
  /** CPU ticks (user + system) by pid, of the pids asked for and of PostgreSQL's processes. */
  byPid: Map<number, number>;
  postgresPids: Set<number>;
}

function processTicks(pid: number): { ticks: number; comm: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), the 12th and 13th after the comm.
    return { ticks: Number(fields[11]) + Number(fields[12]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) };
  } catch {
    return null; // gone
  }
}

function cpuSnapshot(pids: number[]): CpuSnapshot {
  const times = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are the idle part.
  const total = times.slice(0, 8).reduce((a, b) => a + b, 0);
  const byPid = new Map<number, number>();
  const postgresPids = new Set<number>();
  for (const pid of pids) byPid.set(pid, processTicks(pid)?.ticks ?? 0);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = processTicks(Number(entry));
    if (info?.comm.startsWith('postgres')) {
      byPid.set(Number(entry), info.ticks);
      postgresPids.add(Number(entry));
    }
  }
  return { busyTicks: total - times[3]! - times[4]!, totalTicks: total, byPid, postgresPids };
}

export interface CpuUse {
  /** Share of all cores' time that was busy, 0..1. */
  machineBusy: number;
  /** CPU seconds of the pids asked for, together. */
  processSeconds: number;
  /** CPU seconds of PostgreSQL's processes (those that ended in between are not counted). */
  postgresSeconds: number;
  /** CPU seconds of the load generator itself. */
  loadSeconds: number;
}

/** Runs `load` in this process (a load generator) and tells where the machine's CPU went meanwhile. */
export async function withCpuUse<T extends object>(pids: number[] | undefined, load: () => Promise<T>): Promise<T & { cpu?: CpuUse }> {
  if (!pids) return { ...(await load()) };
  const before = cpuSnapshot(pids);
  const own = process.cpuUsage();
  const result = await load();
  const used = process.cpuUsage(own);
  return { ...result, cpu: { ...cpuUseBetween(before, cpuSnapshot(pids), pids), loadSeconds: (used.user + used.system) / 1e6 } };
}

function cpuUseBetween(before: CpuSnapshot, after: CpuSnapshot, pids: number[]): Omit<CpuUse, 'loadSeconds'> {
  const delta = (pid: number) => Math.max(0, (after.byPid.get(pid) ?? 0) - (before.byPid.get(pid) ?? 0));
  const postgres = [...after.postgresPids].reduce((sum, pid) => sum + delta(pid), 0);
  return {
    machineBusy: (after.busyTicks - before.busyTicks) / Math.max(1, after.totalTicks - before.totalTicks),
    processSeconds: pids.reduce((sum, pid) => sum + delta(pid), 0) / TICKS_PER_SECOND,
    postgresSeconds: postgres / TICKS_PER_SECOND,
  };
}
