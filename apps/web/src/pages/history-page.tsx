/**
 * A node's stored waterfall over any time range, from the spectrum tiles API (zoom level chosen by
 * the range), with the detections of that range drawn as boxes. Click (or arrow keys) to scrub: the
 * spectrum of the chosen moment is drawn above. `?t=ISO` opens a moment (from the detections page).
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { api, type Detection } from '../api/client.ts';
import { tileRows, zoomFor, type HistoryRow } from '../history/tiles.ts';
import { levelColor, turboLut } from '../live/colormap.ts';
import { NO_DATA, resampleMax } from '../live/resample.ts';
import { drawSpectrum, formatHz } from '../live/spectrum-plot.ts';
import { DbScaleInputs, ErrorBox, Link, Loading, toLocalInput, useAsync } from '../ui/common.tsx';
import { navigate } from '../ui/router.ts';
import { themeColor } from '../ui/theme.tsx';

const WIDTH = 1024;
const HEIGHT = 400;
/** Frames per second assumed before the first tiles tell the real rate. */
const ASSUMED_FPS = 10;

interface Range {
  from: number;
  to: number;
}

export function HistoryPage(props: { nodeId: string; search: URLSearchParams }) {
  const { nodeId, search } = props;
  const t = search.get('t');
  const focus = t === null ? undefined : Date.parse(t);
  const [range, setRange] = useState<Range>(() => {
    if (focus !== undefined && Number.isFinite(focus)) return { from: focus - 120_000, to: focus + 120_000 };
    const now = Date.now();
    return { from: now - 10 * 60_000, to: now };
  });
  const [bandId, setBandId] = useState<number | undefined>();
  const [plane, setPlane] = useState<0 | 1>(0);
  const [scale, setScale] = useState({ min: -110, max: -30 });
  const [cursor, setCursor] = useState<number | undefined>(focus);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const plotRef = useRef<HTMLCanvasElement>(null);

  const [bands, reloadBands] = useAsync(
    (signal) => api.get('/api/v1/nodes/{id}/bands', { params: { id: nodeId }, signal }),
    [nodeId],
  );
  const band = useMemo(() => {
    if (bands.state !== 'ok') return undefined;
    const items = [...bands.value.items].sort((a, b) => Date.parse(b.last_at) - Date.parse(a.last_at));
    return items.find((b) => b.id === bandId) ?? items[0];
  }, [bands, bandId]);

  // without a moment to open, show the newest 10 minutes the band has (not empty time before it)
  const fitted = useRef(focus !== undefined && Number.isFinite(focus));
  useEffect(() => {
    if (band === undefined || fitted.current) return;
    fitted.current = true;
    const last = Date.parse(band.last_at) + 1000;
    setRange({ from: Math.max(Date.parse(band.first_at) - 1000, last - 10 * 60_000), to: last });
  }, [band]);

  const zoom = zoomFor(((range.to - range.from) / 1000) * ASSUMED_FPS, HEIGHT);
  const [data] = useAsync(
    async (signal) => {
      if (band === undefined) return undefined;
      const [tiles, dets] = await Promise.all([
        api.get('/api/v1/spectrum/tiles', {
          query: {
            band_id: band.id,
            from: new Date(range.from).toISOString(),
            to: new Date(range.to).toISOString(),
            zoom,
          },
          signal,
        }),
        api.get('/api/v1/detections', {
          query: {
            node_id: nodeId,
            from: new Date(range.from).toISOString(),
            to: new Date(range.to).toISOString(),
            freq_min_hz: Math.max(0, band.center_hz - band.sample_rate_hz / 2),
            freq_max_hz: band.center_hz + band.sample_rate_hz / 2,
            limit: 1000,
          },
          signal,
        }),
      ]);
      return { rows: await tileRows(tiles, plane), detections: dets.items, tiles: tiles.items.length };
    },
    [band?.id, range.from, range.to, zoom, plane, nodeId],
  );

  const f0 = band ? band.center_hz - band.sample_rate_hz / 2 : 0;
  const f1 = band ? band.center_hz + band.sample_rate_hz / 2 : 1;

  // draw the waterfall and the detection boxes
  useEffect(() => {
    const c = canvasRef.current;
    if (c === null || data.state !== 'ok' || data.value === undefined || band === undefined) return;
    const ctx = c.getContext('2d');
    if (ctx === null) return;
    const lut = turboLut();
    ctx.fillStyle = 'rgb(5,8,15)';
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    const img = ctx.createImageData(WIDTH, 1);
    const row = new Float32Array(WIDTH);
    const span = range.to - range.from;
    const binHz = band.sample_rate_hz / band.bin_count;
    const y = (ms: number) => ((range.to - ms) / span) * HEIGHT;
    for (const r of data.value.rows) {
      resampleMax(
        r.db,
        f0,
        r.db.length === band.bin_count ? binHz : band.sample_rate_hz / r.db.length,
        f0,
        f1,
        row,
      );
      for (let i = 0; i < WIDTH; i++) {
        const v = row[i] as number;
        const [R, G, B] =
          v <= NO_DATA ? [5, 8, 15] : levelColor(lut, (v - scale.min) / (scale.max - scale.min));
        img.data[i * 4] = R;
        img.data[i * 4 + 1] = G;
        img.data[i * 4 + 2] = B;
        img.data[i * 4 + 3] = 255;
      }
      const yTop = Math.floor(y(r.endMs));
      const yBottom = Math.max(yTop + 1, Math.ceil(y(r.startMs)));
      for (let yy = Math.max(0, yTop); yy < Math.min(HEIGHT, yBottom); yy++) ctx.putImageData(img, 0, yy);
    }
    ctx.strokeStyle = 'rgba(255,255,255,0.85)';
    ctx.lineWidth = 1;
    for (const d of data.value.detections) {
      const x0 = ((d.freq_low_hz - f0) / (f1 - f0)) * WIDTH;
      const x1 = ((d.freq_high_hz - f0) / (f1 - f0)) * WIDTH;
      const yTop = y(Date.parse(d.end_time));
      const yBottom = y(Date.parse(d.start_time));
      ctx.strokeRect(x0, yTop, Math.max(2, x1 - x0), Math.max(2, yBottom - yTop));
    }
    if (cursor !== undefined) {
      ctx.strokeStyle = themeColor('--accent');
      ctx.beginPath();
      ctx.moveTo(0, y(cursor));
      ctx.lineTo(WIDTH, y(cursor));
      ctx.stroke();
    }
  }, [data, band, range, scale, cursor, f0, f1]);

  const selected: HistoryRow | undefined = useMemo(() => {
    if (data.state !== 'ok' || data.value === undefined) return undefined;
    if (cursor === undefined) return data.value.rows[data.value.rows.length - 1];
    let best: HistoryRow | undefined;
    for (const r of data.value.rows) if (r.startMs <= cursor) best = r;
    return best ?? data.value.rows[0];
  }, [data, cursor]);

  useEffect(() => {
    const c = plotRef.current;
    if (c === null || band === undefined) return;
    const cur = new Float32Array(WIDTH).fill(NO_DATA);
    if (selected) resampleMax(selected.db, f0, band.sample_rate_hz / selected.db.length, f0, f1, cur);
    const dets: Detection[] = data.state === 'ok' && data.value ? data.value.detections : [];
    drawSpectrum(
      c,
      { f0, f1, minDb: scale.min, maxDb: scale.max },
      {
        current: cur,
        peak: undefined,
        average: undefined,
        noiseFloorDb: NaN,
        detections: selected
          ? dets
              .filter(
                (d) =>
                  Date.parse(d.start_time) <= selected.endMs && Date.parse(d.end_time) >= selected.startMs,
              )
              .map((d) => ({ lowHz: d.freq_low_hz, highHz: d.freq_high_hz, label: d.class }))
          : [],
        cursorX: undefined,
      },
      {
        background: themeColor('--plot-bg'),
        grid: themeColor('--plot-grid'),
        text: themeColor('--muted'),
        current: themeColor('--accent'),
        peak: themeColor('--peak'),
        average: themeColor('--average'),
        floor: themeColor('--floor'),
        detection: themeColor('--detection'),
      },
    );
  }, [selected, band, scale, f0, f1, data]);

  function shift(fraction: number) {
    const d = (range.to - range.from) * fraction;
    setRange({ from: range.from + d, to: range.to + d });
  }
  function scaleTime(factor: number) {
    const mid = cursor ?? (range.from + range.to) / 2;
    const span = Math.max(10_000, (range.to - range.from) * factor);
    setRange({ from: mid - span / 2, to: mid + span / 2 });
  }
  function last(ms: number) {
    const now = Date.now();
    setRange({ from: now - ms, to: now });
    setCursor(undefined);
  }
  function onKey(e: KeyboardEvent) {
    const step = (range.to - range.from) / HEIGHT;
    if (e.key === 'ArrowUp') setCursor((c) => Math.min(range.to, (c ?? range.to) + step * 4));
    else if (e.key === 'ArrowDown') setCursor((c) => Math.max(range.from, (c ?? range.to) - step * 4));
    else if (e.key === '+') scaleTime(0.5);
    else if (e.key === '-') scaleTime(2);
    else return;
    e.preventDefault();
  }

  return (
    <section aria-label="history">
      <div className="page-head">
        <h1>History</h1>
        <Link to={`/live/${nodeId}`}>Live</Link>
        <Link to={`/fleet/${nodeId}`}>Node</Link>
      </div>
      {bands.state === 'loading' && <Loading what="bands" />}
      {bands.state === 'error' && <ErrorBox error={bands.error} retry={reloadBands} />}
      {bands.state === 'ok' && bands.value.items.length === 0 && (
        <div className="empty">This node has not sent any spectrum yet: nothing is stored.</div>
      )}
      {band && (
        <>
          <div className="toolbar" role="toolbar" aria-label="history controls">
            <label>
              Band
              <select value={band.id} onChange={(e) => setBandId(Number(e.target.value))}>
                {bands.state === 'ok' &&
                  bands.value.items.map((b) => (
                    <option key={b.id} value={b.id}>
                      {formatHz(b.center_hz)} ± {formatHz(b.sample_rate_hz / 2)}
                    </option>
                  ))}
              </select>
            </label>
            <label>
              From
              <input
                type="datetime-local"
                step={1}
                value={toLocalInput(range.from)}
                onChange={(e) => setRange({ ...range, from: Date.parse(e.target.value) || range.from })}
              />
            </label>
            <label>
              To
              <input
                type="datetime-local"
                step={1}
                value={toLocalInput(range.to)}
                onChange={(e) => setRange({ ...range, to: Date.parse(e.target.value) || range.to })}
              />
            </label>
            <button type="button" onClick={() => last(10 * 60_000)}>
              Last 10 min
            </button>
            <button type="button" onClick={() => last(3600_000)}>
              Last hour
            </button>
            <button type="button" onClick={() => last(86400_000)}>
              Last day
            </button>
            <button type="button" onClick={() => shift(-0.5)} aria-label="earlier">
              ◀ Earlier
            </button>
            <button type="button" onClick={() => shift(0.5)} aria-label="later">
              Later ▶
            </button>
            <button type="button" onClick={() => scaleTime(0.5)}>
              Zoom in time
            </button>
            <button type="button" onClick={() => scaleTime(2)}>
              Zoom out time
            </button>
            <label>
              Rows
              <select
                value={plane}
                onChange={(e) => setPlane(e.target.value === '1' ? 1 : 0)}
                disabled={zoom === 0}
              >
                <option value={0}>max-hold</option>
                <option value={1}>mean</option>
              </select>
            </label>
            <DbScaleInputs scale={scale} onChange={setScale} />
          </div>
          <canvas ref={plotRef} className="plot" width={WIDTH} height={180} />
          <div className="history-wrap">
            <canvas
              ref={canvasRef}
              className="waterfall history"
              width={WIDTH}
              height={HEIGHT}
              data-testid="history-waterfall"
              tabIndex={0}
              aria-label="stored waterfall, newest at the top: click or arrow keys to choose a moment, +/- to zoom in time"
              onKeyDown={onKey}
              onClick={(e) => {
                const r = e.currentTarget.getBoundingClientRect();
                setCursor(range.to - ((e.clientY - r.top) / r.height) * (range.to - range.from));
              }}
            />
            {data.state === 'loading' && <div className="overlay-note">Loading tiles…</div>}
          </div>
          {data.state === 'error' && <ErrorBox error={data.error} />}
          <div className="stats" data-testid="history-stats">
            <span>
              zoom {zoom} ({zoom === 0 ? 'every frame' : `${4 ** zoom} frames a row`})
            </span>
            {data.state === 'ok' && data.value && (
              <>
                <span data-testid="history-rows">{data.value.rows.length} rows</span>
                <span>{data.value.tiles} tiles</span>
                <span data-testid="history-detections">{data.value.detections.length} detections</span>
              </>
            )}
            {selected && <span>at {new Date(selected.startMs).toLocaleTimeString()}</span>}
            {data.state === 'ok' && data.value && data.value.rows.length === 0 && (
              <span>No spectrum stored in this range.</span>
            )}
          </div>
          {data.state === 'ok' && data.value && data.value.detections.length > 0 && (
            <table className="compact">
              <thead>
                <tr>
                  <th>time</th>
                  <th>frequency</th>
                  <th>class</th>
                  <th>SNR</th>
                </tr>
              </thead>
              <tbody>
                {data.value.detections.slice(0, 50).map((d) => (
                  <tr key={d.id} onClick={() => setCursor(Date.parse(d.start_time))} className="clickable">
                    <td>{new Date(d.start_time).toLocaleTimeString()}</td>
                    <td>{formatHz((d.freq_low_hz + d.freq_high_hz) / 2)}</td>
                    <td>{d.class}</td>
                    <td>{d.snr_db.toFixed(1)} dB</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted">
            <button type="button" className="link" onClick={() => navigate(`/detections?node=${nodeId}`)}>
              All detections of this node
            </button>
          </p>
        </>
      )}
    </section>
  );
}
