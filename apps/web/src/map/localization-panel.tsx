/**
 * Recent localizations beside the map: status (a pending one shows what it waits for), method,
 * quality, size of the ellipse, the nodes, why a failed one failed, and a link to the detection or
 * anomaly that started it. Clicking a row focuses it on the map.
 */
import { isPending, type Localization } from '../api/locate.ts';
import { formatHz } from '../live/spectrum-plot.ts';
import { Link } from '../ui/common.tsx';

export interface LocalizationPanelProps {
  readonly items: readonly Localization[];
  readonly focusedId: string | undefined;
  readonly nodeNames: ReadonlyMap<string, string>;
  onFocus(id: string): void;
}

function km(m: number): string {
  return m >= 10_000
    ? `${Math.round(m / 1000)} km`
    : m >= 1000
      ? `${(m / 1000).toFixed(1)} km`
      : `${Math.round(m)} m`;
}

function statusText(l: Localization, now: number): string {
  if (l.status === 'capturing') {
    const s = Math.round((Date.parse(l.capture_time) - now) / 1000);
    return s > 0 ? `capturing in ${s} s…` : 'capturing…';
  }
  if (l.status === 'solving') return 'solving…';
  return l.status;
}

/** Where the detection or anomaly that started `l` is shown. */
function sourceLink(l: Localization) {
  if (l.detection_id !== null) {
    // whole hertz outward, so the rounded band still overlaps the detection's
    const lo = Math.floor(l.freq_hz - l.bandwidth_hz / 2) / 1e6;
    const hi = Math.ceil(l.freq_hz + l.bandwidth_hz / 2) / 1e6;
    const q = new URLSearchParams({
      fmin: lo.toFixed(6),
      fmax: hi.toFixed(6),
      highlight: l.detection_id,
    });
    return (
      <Link to={`/detections?${q.toString()}`} className="source">
        detection {l.detection_id.slice(0, 8)}
      </Link>
    );
  }
  if (l.anomaly_id !== null)
    return (
      <Link to={`/anomalies?highlight=${encodeURIComponent(l.anomaly_id)}`} className="source">
        anomaly {l.anomaly_id.slice(0, 8)}
      </Link>
    );
  return <span className="muted">requested directly</span>;
}

export function LocalizationPanel(props: LocalizationPanelProps) {
  const now = Date.now();
  const name = (id: string) => props.nodeNames.get(id) ?? id.slice(0, 8);
  return (
    <aside className="localizations" aria-label="localizations" data-testid="localizations-panel">
      <h2>Localizations</h2>
      {props.items.length === 0 && (
        <p className="muted">None yet. Operators start one with Locate on a detection or an anomaly.</p>
      )}
      <ol>
        {props.items.map((l) => {
          const focused = l.id === props.focusedId;
          return (
            <li
              key={l.id}
              className={`loc ${l.status}${focused ? ' focused' : ''}`}
              data-testid="localization-row"
              data-id={l.id}
              data-status={l.status}
              tabIndex={0}
              aria-current={focused ? 'true' : undefined}
              onClick={() => props.onFocus(l.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') props.onFocus(l.id);
              }}
            >
              <div className="loc-head">
                <span className={`loc-status ${l.status}`} data-testid="loc-status">
                  {isPending(l) && <span className="spinner" aria-hidden="true" />}
                  {statusText(l, now)}
                </span>
                <span>{formatHz(l.freq_hz, 4)}</span>
                <span className="muted">{new Date(l.created_at).toLocaleTimeString()}</span>
              </div>
              {l.status === 'completed' && l.lat !== null && l.lon !== null && (
                <div className="loc-fix">
                  {l.lat.toFixed(4)}, {l.lon.toFixed(4)} by {l.method ?? '?'}
                  {l.quality !== null && <span className={`quality ${l.quality}`}> · {l.quality}</span>}
                  {l.ellipse !== null && (
                    <span className="muted">
                      {' '}
                      · 95 % {km(l.ellipse.semi_major_m)} × {km(l.ellipse.semi_minor_m)}
                    </span>
                  )}
                </div>
              )}
              {l.status === 'failed' && (
                <div className="loc-error" data-testid="loc-error">
                  {l.error ?? 'failed without a reason'}
                </div>
              )}
              <div className="muted loc-nodes">
                {l.status === 'completed'
                  ? `${l.used_node_ids.length} of ${l.node_ids.length} nodes: ${l.used_node_ids.map(name).join(', ')}`
                  : `${l.node_ids.length} nodes: ${l.node_ids.map(name).join(', ')}`}
              </div>
              <div onClick={(e) => e.stopPropagation()}>{sourceLink(l)}</div>
            </li>
          );
        })}
      </ol>
    </aside>
  );
}
