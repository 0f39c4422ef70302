// Times are stored in UTC; people read them in their own time zone, named next to every time
// ("Dec 6, 2026, 9:33:08 AM GMT+1": a time without its zone is ambiguous in a shared screenshot
// or a ticket), with UTC on hover.

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long' });

/** The browser's time zone, e.g. "Europe/Berlin", for labels of time inputs (which take local time). */
export function localZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local time';
}

export function DateTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span>—</span>;
  const date = new Date(iso);
  return (
    <time dateTime={iso} title={`${date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`}>
      {local.format(date)}
    </time>
  );
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
