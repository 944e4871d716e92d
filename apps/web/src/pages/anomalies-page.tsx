/**
 * Anomalies the server raised (the page exists only when the server has `GET /api/v1/anomalies`),
 * newest first, open ones or all; operators acknowledge them. A row's time opens the node's history
 * at that moment. The route may be newer than this build's generated types, so items are checked
 * at run time rather than trusted. Operators locate an anomaly's emitter when it has a frequency
 * range (the map then follows the localization); `?highlight=<id>` marks one row and lists all.
 */
import { useState } from 'react';
import { api, getOptional, postUntyped } from '../api/client.ts';
import { locate, mapPathFor } from '../api/locate.ts';
import { canOperate, type Session } from '../api/session.ts';
import { formatHz } from '../live/spectrum-plot.ts';
import { describeError, ErrorBox, Link, Loading, useAsync } from '../ui/common.tsx';
import { navigate } from '../ui/router.ts';

interface Anomaly {
  readonly id: string;
  readonly node_id: string | null;
  readonly node_ids: readonly string[];
  readonly time: string;
  readonly freq_low_hz: number | null;
  readonly freq_high_hz: number | null;
  readonly kind: string;
  readonly score: number;
  readonly severity: string;
  readonly explanation: string;
  readonly acknowledged_at: string | null;
  readonly acknowledged_by: string | null;
}

function isAnomaly(v: unknown): v is Anomaly {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Record<string, unknown>;
  return typeof a['id'] === 'string' && typeof a['time'] === 'string' && typeof a['kind'] === 'string';
}

export function AnomaliesPage(props: { session: Session; search: URLSearchParams }) {
  const highlight = props.search.get('highlight') ?? undefined;
  const [open, setOpen] = useState(highlight === undefined);
  const [locating, setLocating] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [nodes] = useAsync((signal) => api.get('/api/v1/nodes', { query: { limit: 1000 }, signal }), []);
  const [page, reload] = useAsync(async () => {
    const r = await getOptional('/api/v1/anomalies', {
      limit: 200,
      ...(open ? { acknowledged: false } : {}),
    });
    const items = typeof r === 'object' && r !== null ? (r as { items?: unknown }).items : undefined;
    return Array.isArray(items) ? items.filter(isAnomaly) : [];
  }, [open]);
  const names = new Map(nodes.state === 'ok' ? nodes.value.items.map((n) => [n.id, n.name]) : []);

  async function ack(id: string) {
    setError(undefined);
    try {
      await postUntyped(`/api/v1/anomalies/${encodeURIComponent(id)}/ack`, {});
      reload();
    } catch (e) {
      setError(describeError(e));
    }
  }

  async function onLocate(a: Anomaly, lo: number, hi: number) {
    setError(undefined);
    setLocating(a.id);
    try {
      const l = await locate({ freq_low_hz: lo, freq_high_hz: hi, anomaly_id: a.id });
      navigate(mapPathFor(l.id));
    } catch (e) {
      setError(`Could not locate ${formatHz((lo + hi) / 2)}: ${describeError(e)}`);
    } finally {
      setLocating(undefined);
    }
  }

  return (
    <section aria-label="anomalies">
      <div className="page-head">
        <h1>Anomalies</h1>
        <label className="inline">
          <input type="checkbox" checked={open} onChange={(e) => setOpen(e.target.checked)} /> open only
        </label>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      {error && <div className="error">{error}</div>}
      {page.state === 'loading' && <Loading what="anomalies" />}
      {page.state === 'error' && <ErrorBox error={page.error} retry={reload} />}
      {page.state === 'ok' && page.value.length === 0 && (
        <div className="empty">{open ? 'No open anomalies.' : 'No anomalies.'}</div>
      )}
      {page.state === 'ok' && page.value.length > 0 && (
        <table data-testid="anomalies-table">
          <thead>
            <tr>
              <th>time</th>
              <th>severity</th>
              <th>kind</th>
              <th>nodes</th>
              <th>frequency</th>
              <th>score</th>
              <th>what</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {page.value.map((a) => {
              const node = a.node_id ?? a.node_ids[0];
              const band =
                a.freq_low_hz !== null && a.freq_high_hz !== null
                  ? ([a.freq_low_hz, a.freq_high_hz] as const)
                  : undefined;
              const freq = band !== undefined ? formatHz((band[0] + band[1]) / 2) : '—';
              return (
                <tr
                  key={a.id}
                  className={a.id === highlight ? 'highlight' : undefined}
                  data-testid="anomaly-row"
                >
                  <td>
                    {node ? (
                      <Link to={`/history/${node}?t=${encodeURIComponent(a.time)}`}>
                        {new Date(a.time).toLocaleString()}
                      </Link>
                    ) : (
                      new Date(a.time).toLocaleString()
                    )}
                  </td>
                  <td>
                    <span className={`severity ${a.severity}`}>{a.severity}</span>
                  </td>
                  <td>{a.kind}</td>
                  <td>{a.node_ids.map((n) => names.get(n) ?? n.slice(0, 8)).join(', ') || 'fleet'}</td>
                  <td>{freq}</td>
                  <td>{a.score.toFixed(1)}</td>
                  <td className="wrap">{a.explanation}</td>
                  <td className="actions">
                    {canOperate(props.session) && band !== undefined && (
                      <button
                        type="button"
                        data-testid="locate"
                        disabled={locating !== undefined}
                        title="capture this band on several nodes in 5 s and fix the emitter on the map"
                        onClick={() => void onLocate(a, band[0], band[1])}
                      >
                        {locating === a.id ? 'Locating…' : 'Locate'}
                      </button>
                    )}
                    {a.acknowledged_at !== null ? (
                      <span className="muted">ack by {a.acknowledged_by ?? '?'}</span>
                    ) : (
                      canOperate(props.session) && (
                        <button type="button" onClick={() => void ack(a.id)}>
                          Acknowledge
                        </button>
                      )
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
