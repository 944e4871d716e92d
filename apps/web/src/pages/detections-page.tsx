/**
 * Detections, filtered by the server (node, band, time, class, minimum SNR) and paged with its
 * cursor; the current page sorts by any column. A row opens that moment in the node's history.
 * Operators locate a detection's emitter from its row (the map then follows the localization).
 * `?node=`, `?fmin=`/`?fmax=` (MHz) preset the filters; `?highlight=<id>` marks one row (the map
 * links a localization back to its detection that way).
 */
import { useState, type FormEvent, type MouseEvent } from 'react';
import { api, type Detection } from '../api/client.ts';
import { locate, mapPathFor } from '../api/locate.ts';
import { canOperate, type Session } from '../api/session.ts';
import { formatHz } from '../live/spectrum-plot.ts';
import { describeError, ErrorBox, Loading, useAsync } from '../ui/common.tsx';
import { navigate } from '../ui/router.ts';

interface Filters {
  node: string;
  fminMhz: string;
  fmaxMhz: string;
  from: string;
  to: string;
  cls: string;
  minSnr: string;
}

type SortKey = 'start_time' | 'freq' | 'snr_db' | 'power_dbfs' | 'class' | 'node';

function num(s: string, scale = 1): number | undefined {
  if (s.trim() === '') return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v * scale : undefined;
}

function iso(local: string): string | undefined {
  if (local === '') return undefined;
  const t = Date.parse(local);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

export function DetectionsPage(props: { search: URLSearchParams; session: Session }) {
  const highlight = props.search.get('highlight') ?? undefined;
  const operator = canOperate(props.session);
  const [locating, setLocating] = useState<string | undefined>();
  const [locateError, setLocateError] = useState<string | undefined>();
  const initial: Filters = {
    node: props.search.get('node') ?? '',
    fminMhz: props.search.get('fmin') ?? '',
    fmaxMhz: props.search.get('fmax') ?? '',
    from: '',
    to: '',
    cls: '',
    minSnr: '',
  };
  const [form, setForm] = useState<Filters>(initial);
  const [applied, setApplied] = useState<Filters>(initial);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'start_time', dir: -1 });
  const cursor = cursors[cursors.length - 1];
  const [nodes] = useAsync((signal) => api.get('/api/v1/nodes', { query: { limit: 1000 }, signal }), []);
  const [page, reload] = useAsync(
    (signal) =>
      api.get('/api/v1/detections', {
        query: {
          node_id: applied.node || undefined,
          freq_min_hz: num(applied.fminMhz, 1e6),
          freq_max_hz: num(applied.fmaxMhz, 1e6),
          from: iso(applied.from),
          to: iso(applied.to),
          class: applied.cls || undefined,
          min_snr_db: num(applied.minSnr),
          limit: 50,
          cursor,
        },
        signal,
      }),
    [applied, cursor],
  );
  const names = new Map(nodes.state === 'ok' ? nodes.value.items.map((n) => [n.id, n.name]) : []);

  function submit(e: FormEvent) {
    e.preventDefault();
    setCursors([undefined]);
    setApplied(form);
  }
  const value = (d: Detection, k: SortKey): number | string => {
    switch (k) {
      case 'start_time':
        return Date.parse(d.start_time);
      case 'freq':
        return (d.freq_low_hz + d.freq_high_hz) / 2;
      case 'node':
        return names.get(d.node_id) ?? d.node_id;
      default:
        return d[k];
    }
  };
  const rows =
    page.state === 'ok'
      ? [...page.value.items].sort((a, b) => {
          const x = value(a, sort.key);
          const y = value(b, sort.key);
          return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
        })
      : [];
  const th = (k: SortKey, label: string) => (
    <th aria-sort={sort.key === k ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        className="link"
        onClick={() => setSort({ key: k, dir: sort.key === k ? (sort.dir === 1 ? -1 : 1) : -1 })}
      >
        {label} {sort.key === k ? (sort.dir === 1 ? '▲' : '▼') : ''}
      </button>
    </th>
  );
  async function onLocate(e: MouseEvent, d: Detection) {
    // the row itself opens the history: the button must not
    e.stopPropagation();
    setLocateError(undefined);
    setLocating(d.id);
    try {
      const l = await locate({
        freq_low_hz: d.freq_low_hz,
        freq_high_hz: d.freq_high_hz,
        detection_id: d.id,
      });
      navigate(mapPathFor(l.id));
    } catch (err) {
      setLocateError(
        `Could not locate ${formatHz((d.freq_low_hz + d.freq_high_hz) / 2, 4)}: ${describeError(err)}`,
      );
    } finally {
      setLocating(undefined);
    }
  }
  const set = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });

  return (
    <section aria-label="detections">
      <div className="page-head">
        <h1>Detections</h1>
      </div>
      <form className="toolbar filters" onSubmit={submit} aria-label="detection filters">
        <label>
          Node
          <select value={form.node} onChange={set('node')} name="node">
            <option value="">all</option>
            {nodes.state === 'ok' &&
              nodes.value.items.map((n) => (
                <option key={n.id} value={n.id}>
                  {n.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          From MHz
          <input name="fmin" inputMode="decimal" value={form.fminMhz} onChange={set('fminMhz')} size={8} />
        </label>
        <label>
          To MHz
          <input name="fmax" inputMode="decimal" value={form.fmaxMhz} onChange={set('fmaxMhz')} size={8} />
        </label>
        <label>
          Since
          <input type="datetime-local" value={form.from} onChange={set('from')} />
        </label>
        <label>
          Until
          <input type="datetime-local" value={form.to} onChange={set('to')} />
        </label>
        <label>
          Class
          <input name="class" value={form.cls} onChange={set('cls')} size={10} placeholder="e.g. fm,cw" />
        </label>
        <label>
          Min SNR dB
          <input name="min_snr" inputMode="decimal" value={form.minSnr} onChange={set('minSnr')} size={5} />
        </label>
        <button type="submit" className="primary">
          Apply
        </button>
      </form>
      {locateError !== undefined && (
        <div className="error" role="alert" data-testid="locate-error">
          {locateError}
        </div>
      )}
      {page.state === 'loading' && <Loading what="detections" />}
      {page.state === 'error' && <ErrorBox error={page.error} retry={reload} />}
      {page.state === 'ok' && rows.length === 0 && (
        <div className="empty">No detections match these filters.</div>
      )}
      {rows.length > 0 && (
        <table data-testid="detections-table">
          <thead>
            <tr>
              {th('start_time', 'time')}
              {th('node', 'node')}
              {th('freq', 'frequency')}
              <th>bandwidth</th>
              {th('class', 'class')}
              {th('snr_db', 'SNR')}
              {th('power_dbfs', 'power')}
              {operator && <th />}
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => {
              const open = () => navigate(`/history/${d.node_id}?t=${encodeURIComponent(d.start_time)}`);
              return (
                <tr
                  key={d.id}
                  className={`clickable${d.id === highlight ? ' highlight' : ''}`}
                  tabIndex={0}
                  onClick={open}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') open();
                  }}
                  data-testid="detection-row"
                >
                  <td>{new Date(d.start_time).toLocaleString()}</td>
                  <td>{names.get(d.node_id) ?? d.node_id.slice(0, 8)}</td>
                  <td>{formatHz((d.freq_low_hz + d.freq_high_hz) / 2, 4)}</td>
                  <td>{formatHz(d.freq_high_hz - d.freq_low_hz, 2)}</td>
                  <td>{d.class}</td>
                  <td>{d.snr_db.toFixed(1)} dB</td>
                  <td>{d.power_dbfs.toFixed(1)} dBFS</td>
                  {operator && (
                    <td>
                      <button
                        type="button"
                        data-testid="locate"
                        disabled={locating !== undefined}
                        title="capture this band on several nodes in 5 s and fix the emitter on the map"
                        onClick={(e) => void onLocate(e, d)}
                        onKeyDown={(e) => e.stopPropagation()}
                      >
                        {locating === d.id ? 'Locating…' : 'Locate'}
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          ◀ Newer
        </button>
        <span className="muted">page {cursors.length}</span>
        <button
          type="button"
          disabled={page.state !== 'ok' || page.value.next_cursor === null}
          onClick={() =>
            page.state === 'ok' && page.value.next_cursor && setCursors([...cursors, page.value.next_cursor])
          }
        >
          Older ▶
        </button>
      </div>
    </section>
  );
}
