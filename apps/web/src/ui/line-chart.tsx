/** A small SVG line chart of one series over time (heartbeat charts); no chart library needed. */
export interface Point {
  readonly t: number;
  readonly v: number;
}

export function LineChart(props: { title: string; unit: string; points: readonly Point[] }) {
  const W = 320;
  const H = 90;
  const pts = props.points.filter((p) => Number.isFinite(p.v));
  if (pts.length === 0)
    return (
      <figure className="chart">
        <figcaption>{props.title}</figcaption>
        <div className="muted">no data</div>
      </figure>
    );
  const t0 = Math.min(...pts.map((p) => p.t));
  const t1 = Math.max(...pts.map((p) => p.t));
  let lo = Math.min(...pts.map((p) => p.v));
  let hi = Math.max(...pts.map((p) => p.v));
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const x = (t: number) => (t1 === t0 ? W / 2 : ((t - t0) / (t1 - t0)) * (W - 4) + 2);
  const y = (v: number) => H - 4 - ((v - lo) / (hi - lo)) * (H - 8);
  const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
  const last = pts[pts.length - 1] as Point;
  return (
    <figure className="chart">
      <figcaption>
        {props.title}: <strong>{last.v.toFixed(1)}</strong> {props.unit}{' '}
        <span className="muted">
          ({lo.toFixed(1)}–{hi.toFixed(1)})
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title} over time`}>
        <path d={d} className="series" />
      </svg>
    </figure>
  );
}
