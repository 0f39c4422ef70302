import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ACTIVITY_KIND_LABELS, ACTIVITY_KINDS, type ActivityKind } from '../../../src/contracts/activity-kinds.js';
import type { AuditActivity } from '../../../src/contracts/audit-activity.js';
import { apiPath } from '../api';
import { ErrorState, Loading } from '../ui/states';
import { useApi } from '../ui/use-api';
import type { AuditQuery } from './audit-filters';
import './activity-chart.css';

// The audit page's activity over time (docs/web-ui.md#audit-activity): its events per UTC day
// stacked by kind (uPlot bars), for the page's period and filters; a click on a segment filters
// the table to that day and kind. uPlot draws series in order, so each kind is drawn as the
// running total up to it, the tallest first: the lower kinds paint over it, and each shows as its
// own band. The same figures are in data-activity and in a table with a button per non-empty
// cell (keyboard and screen readers); the canvas is aria-hidden.

/** Okabe-Ito colours: told apart with the common colour-vision deficiencies. */
export const KIND_COLORS: Record<ActivityKind, string> = {
  publish: '#009E73',
  delete: '#D55E00',
  denied: '#CC79A7',
  access: '#0072B2',
  settings: '#E69F00',
  other: '#999999',
};

const HEIGHT = 200;

/** The running totals per kind, bottom (publish) to top (other). */
function stacked(activity: AuditActivity): number[][] {
  const totals = activity.days.map(() => 0);
  return ACTIVITY_KINDS.map((kind) => activity.days.map((day, i) => (totals[i] += day.counts[kind])));
}

/** The y scale's top: a little headroom over the busiest day, never 0. */
export const yMaxOf = (activity: AuditActivity) => Math.max(1, ...activity.days.map((d) => d.total)) * 1.1;

export function ActivityChart({ base, filters, onSelect }: { base: string; filters: AuditQuery; onSelect: (day: string, kind: ActivityKind) => void }) {
  const [activity] = useApi<AuditActivity>(apiPath(`${base}/audit_events/activity`, filters));
  if (activity.state === 'loading') return <Loading what="Loading activity" />;
  if (activity.state === 'error') return <ErrorState error={activity.error} />;
  return <ActivityFigure activity={activity.data} onSelect={onSelect} />;
}

function ActivityFigure({ activity, onSelect }: { activity: AuditActivity; onSelect: (day: string, kind: ActivityKind) => void }) {
  const plot = useRef<HTMLDivElement>(null);
  const select = useRef(onSelect);
  select.current = onSelect;
  const yMax = yMaxOf(activity);

  useEffect(() => {
    const element = plot.current;
    if (!element) return;
    const totals = stacked(activity);
    const days = activity.days.map((d) => d.day);
    const bars = uPlot.paths.bars!({ size: [0.7, 60] });
    const chart = new uPlot(
      {
        width: element.clientWidth || 600,
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: false, range: [-0.5, days.length - 0.5] }, y: { range: [0, yMax] } },
        axes: [
          { values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) && days[t] ? days[t].slice(5) : '')), space: 40 },
          { values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) },
        ],
        series: [{}, ...[...ACTIVITY_KINDS].reverse().map((kind) => ({ label: ACTIVITY_KIND_LABELS[kind], fill: KIND_COLORS[kind], stroke: KIND_COLORS[kind], paths: bars, points: { show: false } }))],
      },
      // An empty day has no bar at all (null), not a bar of height 0 drawn as a line.
      [days.map((_, i) => i), ...[...totals].reverse().map((series) => series.map((n) => (n === 0 ? null : n)))],
      element,
    );
    // A click: the day under the cursor, and the kind whose band holds the cursor's height.
    const onClick = () => {
      const { left, top, idx } = chart.cursor;
      if (idx === null || idx === undefined || left === undefined || top === undefined || left < 0) return;
      const value = chart.posToVal(top, 'y');
      const kind = ACTIVITY_KINDS.find((_, k) => value <= totals[k][idx] && (k === 0 ? 0 : totals[k - 1][idx]) < totals[k][idx]);
      if (kind && value >= 0) select.current(days[idx], kind);
    };
    chart.over.addEventListener('click', onClick);
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth || 600, height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [activity, yMax]);

  const first = activity.days[0]?.day;
  const last = activity.days[activity.days.length - 1]?.day;
  return (
    <figure className="activity-chart" aria-labelledby="activity-caption" data-activity={JSON.stringify(activity.days)} data-y-max={yMax}>
      <figcaption id="activity-caption">
        Activity per day (UTC), {first} to {last}
      </figcaption>
      <div className="plot" ref={plot} aria-hidden="true" />
      <ul className="legend" aria-label="Legend">
        {ACTIVITY_KINDS.map((kind) => (
          <li key={kind}>
            <svg width="12" height="12" aria-hidden="true">
              <rect width="12" height="12" fill={KIND_COLORS[kind]} />
            </svg>
            {ACTIVITY_KIND_LABELS[kind]}
          </li>
        ))}
      </ul>
      <details>
        <summary>Activity as a table</summary>
        <ActivityTable activity={activity} onSelect={onSelect} />
      </details>
    </figure>
  );
}

function ActivityTable({ activity, onSelect }: { activity: AuditActivity; onSelect: (day: string, kind: ActivityKind) => void }) {
  return (
    <table>
      <caption>Events per day and kind (days without events left out)</caption>
      <thead>
        <tr>
          <th scope="col">Day (UTC)</th>
          {ACTIVITY_KINDS.map((kind) => (
            <th scope="col" key={kind}>
              {ACTIVITY_KIND_LABELS[kind]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {activity.days
          .filter((day) => day.total > 0)
          .map((day) => (
            <tr key={day.day}>
              <th scope="row">{day.day}</th>
              {ACTIVITY_KINDS.map((kind) => (
                <td key={kind}>
                  {day.counts[kind] > 0 ? (
                    <button type="button" aria-label={`${day.counts[kind]} ${ACTIVITY_KIND_LABELS[kind]} on ${day.day}: show them`} onClick={() => onSelect(day.day, kind)}>
                      {day.counts[kind]}
                    </button>
                  ) : (
                    0
                  )}
                </td>
              ))}
            </tr>
          ))}
      </tbody>
    </table>
  );
}
