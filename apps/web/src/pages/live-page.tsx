/**
 * Live view of one node: spectrum line over a WebGL2 waterfall, fed by the live socket subscribed
 * to the visible band only, decimated by the server to the waterfall's width (`max_bins`). Zoom
 * with the wheel or +/-, pan by dragging or with the arrow keys, 0 resets, space pauses. The
 * stats line shows drawn rows per second, the socket's kbit/s and malformed messages dropped.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../api/client.ts';
import type { LiveDetection, LiveSpectrum } from '../live/frame-handler.ts';
import { LiveSocket, type LiveState } from '../live/live-socket.ts';
import { NO_DATA, quantile, resampleMax } from '../live/resample.ts';
import { drawSpectrum, formatHz, type PlotColors } from '../live/spectrum-plot.ts';
import { createWaterfall, type WaterfallRenderer } from '../live/waterfall-renderer.ts';
import { DbScaleInputs, ErrorBox, Link, useAsync } from '../ui/common.tsx';
import { themeColor } from '../ui/theme.tsx';

/** Waterfall texture width = bins asked of the server; rows of history kept on screen. */
const WIDTH = 1024;
const ROWS = 384;
const MIN_SPAN_HZ = 1000;

interface View {
  f0: number;
  f1: number;
}

interface Stats {
  fps: number;
  kbps: number;
  frames: number;
  malformed: number;
}

function colors(): PlotColors {
  return {
    background: themeColor('--plot-bg'),
    grid: themeColor('--plot-grid'),
    text: themeColor('--muted'),
    current: themeColor('--accent'),
    peak: themeColor('--peak'),
    average: themeColor('--average'),
    floor: themeColor('--floor'),
    detection: themeColor('--detection'),
  };
}

/** `forceCanvas` (`?renderer=2d`): the 2D-canvas waterfall even where WebGL2 works (tests, old GPUs). */
export function LivePage(props: { nodeId: string; forceCanvas?: boolean }) {
  const { nodeId } = props;
  const [node] = useAsync(
    (signal) => api.get('/api/v1/nodes/{id}', { params: { id: nodeId }, signal }),
    [nodeId],
  );
  const wfRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const plotRef = useRef<HTMLCanvasElement>(null);
  const areaRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ s: LiveState; detail: string }>({ s: 'connecting', detail: '' });
  const [stats, setStats] = useState<Stats>({ fps: 0, kbps: 0, frames: 0, malformed: 0 });
  const [renderer, setRenderer] = useState<string>('');
  const [paused, setPaused] = useState(false);
  const [scale, setScale] = useState({ min: -110, max: -30 });
  const [readout, setReadout] = useState<string>('');
  const [serverError, setServerError] = useState<string | undefined>();
  const [view, setViewState] = useState<View | undefined>();

  // mutable state the animation loop reads without re-rendering
  const live = useRef({
    full: undefined as View | undefined,
    view: undefined as View | undefined,
    pending: [] as LiveSpectrum[],
    current: new Float32Array(WIDTH).fill(NO_DATA),
    peak: new Float32Array(WIDTH).fill(NO_DATA),
    average: new Float32Array(WIDTH).fill(NO_DATA),
    scratch: new Float32Array(WIDTH),
    row: new Float32Array(WIDTH),
    floor: NaN,
    detections: [] as { d: LiveDetection; at: number; marked: boolean }[],
    paused: false,
    scaled: false,
    scale: { min: -110, max: -30 },
    cursorX: undefined as number | undefined,
    drawn: 0,
    wf: undefined as WaterfallRenderer | undefined,
    socket: undefined as LiveSocket | undefined,
  });

  function setView(v: View) {
    const L = live.current;
    const full = L.full ?? v;
    const span = Math.max(MIN_SPAN_HZ, Math.min(full.f1 - full.f0, v.f1 - v.f0));
    let f0 = Math.max(full.f0, Math.min(v.f0, full.f1 - span));
    if (!Number.isFinite(f0)) f0 = v.f0;
    const next = { f0, f1: f0 + span };
    L.view = next;
    L.peak.fill(NO_DATA);
    L.average.fill(NO_DATA);
    setViewState(next);
  }

  // socket and animation loop
  useEffect(() => {
    const L = live.current;
    const wfCanvas = wfRef.current;
    if (wfCanvas === null) return;
    const wf = createWaterfall(wfCanvas, WIDTH, ROWS, props.forceCanvas === true);
    L.wf = wf;
    setRenderer(
      wf.kind === 'webgl2'
        ? 'WebGL2'
        : props.forceCanvas === true
          ? '2D canvas (chosen with ?renderer=2d)'
          : '2D canvas (WebGL2 unavailable in this browser)',
    );
    const overlay = overlayRef.current;
    if (overlay) {
      overlay.width = WIDTH;
      overlay.height = ROWS;
    }
    const socket = new LiveSocket(
      { nodes: [nodeId], kinds: ['spectrum', 'detections'], max_bins: WIDTH },
      {
        onState: (s, detail) => setState({ s, detail }),
        onMessage: (m) => {
          if (m.kind === 'spectrum') {
            if (m.nodeId !== nodeId) return;
            if (L.full === undefined) {
              L.full = { f0: m.startHz, f1: m.startHz + m.binHz * m.db.length };
              setView(L.full);
            }
            if (L.pending.length > 8) L.pending.shift();
            L.pending.push(m);
          } else if (m.kind === 'detection') {
            L.detections.push({ d: m.detection, at: performance.now(), marked: false });
            if (L.detections.length > 64) L.detections.shift();
          } else if (m.kind === 'server-error') {
            setServerError(m.message);
          }
        },
      },
    );
    L.socket = socket;

    let raf = 0;
    let lastStats = performance.now();
    let lastBytes = 0;
    const tick = () => {
      raf = requestAnimationFrame(tick);
      const v = L.view;
      const ol = overlayRef.current?.getContext('2d') ?? null;
      let changed = false;
      while (v !== undefined && L.pending.length > 0) {
        const f = L.pending.shift() as LiveSpectrum;
        resampleMax(f.db, f.startHz, f.binHz, v.f0, v.f1, L.current);
        changed = true;
        if (L.paused) continue;
        wf.pushRow(L.current);
        L.drawn++;
        for (let i = 0; i < WIDTH; i++) {
          const c = L.current[i] as number;
          const p = L.peak[i] as number;
          const a = L.average[i] as number;
          if (c > p) L.peak[i] = c;
          L.average[i] = a <= NO_DATA ? c : a + 0.1 * (c - a);
        }
        if (ol !== null) {
          // the detection marks scroll with the rows
          ol.drawImage(ol.canvas, 0, 0, WIDTH, ROWS - 1, 0, 1, WIDTH, ROWS - 1);
          ol.clearRect(0, 0, WIDTH, 1);
          for (const d of L.detections) {
            if (d.marked) continue;
            d.marked = true;
            const x0 = ((d.d.freq_low_hz - v.f0) / (v.f1 - v.f0)) * WIDTH;
            const x1 = ((d.d.freq_high_hz - v.f0) / (v.f1 - v.f0)) * WIDTH;
            ol.fillStyle = 'rgba(255,255,255,0.9)';
            ol.fillRect(x0, 0, Math.max(2, x1 - x0), 1);
            ol.fillRect(x0, 0, 1, 1);
          }
        }
      }
      if (changed) {
        L.floor = quantile(L.current, 0.2, L.scratch);
        if (!L.scaled && Number.isFinite(L.floor)) {
          // the first spectrum sets the colour scale: floor just above the bottom, strongest near the top
          L.scaled = true;
          let max = -Infinity;
          for (const x of L.current) if (x > max) max = x;
          setScale({ min: Math.floor(L.floor - 5), max: Math.ceil(Math.max(max, L.floor + 30) + 5) });
        }
        if (!L.paused) wf.draw();
      }
      const plot = plotRef.current;
      if (plot !== null && v !== undefined && (changed || L.cursorX !== undefined)) {
        const now = performance.now();
        drawSpectrum(
          plot,
          { f0: v.f0, f1: v.f1, minDb: L.scale.min, maxDb: L.scale.max },
          {
            current: L.current,
            peak: L.peak,
            average: L.average,
            noiseFloorDb: L.floor,
            detections: L.detections
              .filter((d) => now - d.at < 10_000)
              .map((d) => ({ lowHz: d.d.freq_low_hz, highHz: d.d.freq_high_hz, label: d.d.class })),
            cursorX: L.cursorX,
          },
          colors(),
        );
      }
      const now = performance.now();
      if (now - lastStats >= 1000) {
        const h = socket.handler.stats;
        const secs = (now - lastStats) / 1000;
        setStats({
          fps: L.drawn / secs,
          kbps: ((h.bytes - lastBytes) * 8) / 1000 / secs,
          frames: h.frames,
          malformed: h.malformed,
        });
        lastBytes = h.bytes;
        L.drawn = 0;
        lastStats = now;
      }
    };
    raf = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(raf);
      socket.close();
      wf.dispose();
    };
  }, [nodeId, props.forceCanvas]);

  // resubscribe to the visible band (debounced while zooming)
  useEffect(() => {
    if (view === undefined) return;
    const t = setTimeout(() => {
      live.current.socket?.subscribe({
        nodes: [nodeId],
        kinds: ['spectrum', 'detections'],
        freq_min_hz: Math.max(0, view.f0),
        freq_max_hz: view.f1,
        max_bins: WIDTH,
      });
      live.current.wf?.clear();
      const o = overlayRef.current;
      o?.getContext('2d')?.clearRect(0, 0, o.width, o.height);
    }, 200);
    return () => clearTimeout(t);
  }, [view, nodeId]);

  useEffect(() => {
    live.current.scale = scale;
    live.current.wf?.setScale(scale.min, scale.max);
    live.current.wf?.draw();
  }, [scale]);
  useEffect(() => {
    live.current.paused = paused;
  }, [paused]);

  function zoom(factor: number, at = 0.5) {
    const v = live.current.view;
    if (v === undefined) return;
    const f = v.f0 + at * (v.f1 - v.f0);
    const span = (v.f1 - v.f0) * factor;
    setView({ f0: f - at * span, f1: f - at * span + span });
  }
  function pan(fraction: number) {
    const v = live.current.view;
    if (v === undefined) return;
    const d = (v.f1 - v.f0) * fraction;
    setView({ f0: v.f0 + d, f1: v.f1 + d });
  }

  // pointer: wheel zoom around the cursor, drag to pan, cursor readout
  useEffect(() => {
    const el = areaRef.current;
    if (el === null) return;
    let drag: { x: number; view: View } | undefined;
    const frac = (e: MouseEvent) => {
      const r = el.getBoundingClientRect();
      return Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    };
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      zoom(e.deltaY > 0 ? 1.25 : 0.8, frac(e));
    };
    const down = (e: MouseEvent) => {
      const v = live.current.view;
      if (v !== undefined) drag = { x: e.clientX, view: v };
    };
    const move = (e: MouseEvent) => {
      const L = live.current;
      const x = frac(e);
      L.cursorX = x;
      const v = L.view;
      if (v !== undefined) {
        const i = Math.min(WIDTH - 1, Math.floor(x * WIDTH));
        const level = L.current[i] as number;
        setReadout(
          `${formatHz(v.f0 + x * (v.f1 - v.f0), 4)}  ${level > NO_DATA ? `${level.toFixed(1)} dB` : '—'}`,
        );
      }
      if (drag !== undefined) {
        const w = el.getBoundingClientRect().width;
        const d = ((drag.x - e.clientX) / w) * (drag.view.f1 - drag.view.f0);
        setView({ f0: drag.view.f0 + d, f1: drag.view.f1 + d });
      }
    };
    const up = () => {
      drag = undefined;
    };
    const leave = () => {
      live.current.cursorX = undefined;
      setReadout('');
    };
    el.addEventListener('wheel', wheel, { passive: false });
    el.addEventListener('mousedown', down);
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
    el.addEventListener('mouseleave', leave);
    return () => {
      el.removeEventListener('wheel', wheel);
      el.removeEventListener('mousedown', down);
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
      el.removeEventListener('mouseleave', leave);
    };
  });

  function onKey(e: KeyboardEvent) {
    const keys: Record<string, () => void> = {
      '+': () => zoom(0.8),
      '=': () => zoom(0.8),
      '-': () => zoom(1.25),
      ArrowLeft: () => pan(-0.1),
      ArrowRight: () => pan(0.1),
      '0': () => live.current.full && setView(live.current.full),
      ' ': () => setPaused((p) => !p),
    };
    const k = keys[e.key];
    if (k !== undefined) {
      e.preventDefault();
      k();
    }
  }

  function autoScale() {
    const L = live.current;
    let max = -Infinity;
    for (const v of L.current) if (v > max) max = v;
    if (Number.isFinite(L.floor) && Number.isFinite(max))
      setScale({ min: Math.floor(L.floor - 10), max: Math.ceil(max + 5) });
  }

  const name = node.state === 'ok' ? node.value.name : nodeId;
  return (
    <section className="live" aria-label="live view">
      <div className="page-head">
        <h1>
          Live: {name}{' '}
          {node.state === 'ok' && <span className={`badge ${node.value.status}`}>{node.value.status}</span>}
        </h1>
        <span className={`conn ${state.s}`} role="status" data-testid="conn-state">
          {state.s === 'live'
            ? '● live'
            : state.s === 'reconnecting'
              ? `reconnecting… ${state.detail}`
              : state.s}
        </span>
        <Link to={`/history/${nodeId}`}>History</Link>
        <Link to={`/fleet/${nodeId}`}>Node</Link>
      </div>
      {node.state === 'error' && <ErrorBox error={node.error} />}
      {serverError && <div className="error">Live subscription refused: {serverError}</div>}
      <div className="toolbar" role="toolbar" aria-label="live controls">
        <button type="button" onClick={() => setPaused((p) => !p)} aria-pressed={paused} data-testid="pause">
          {paused ? '▶ Resume' : '❚❚ Pause'}
        </button>
        <button type="button" onClick={() => zoom(0.5)} aria-label="zoom in">
          Zoom +
        </button>
        <button type="button" onClick={() => zoom(2)} aria-label="zoom out">
          Zoom −
        </button>
        <button type="button" onClick={() => live.current.full && setView(live.current.full)}>
          Full band
        </button>
        <button type="button" onClick={() => live.current.peak.fill(NO_DATA)}>
          Reset peak
        </button>
        <DbScaleInputs scale={scale} onChange={setScale} />
        <button type="button" onClick={autoScale}>
          Auto scale
        </button>
        <span className="readout" data-testid="readout" aria-live="off">
          {readout}
        </span>
      </div>
      <div
        className="live-area"
        ref={areaRef}
        tabIndex={0}
        onKeyDown={onKey}
        aria-label="spectrum and waterfall: wheel or +/- zoom, drag or arrows pan, 0 full band, space pause"
      >
        <canvas ref={plotRef} className="plot" width={WIDTH} height={220} data-testid="spectrum" />
        <div className="wf-wrap">
          <canvas ref={wfRef} className="waterfall" data-testid="waterfall" />
          <canvas ref={overlayRef} className="wf-overlay" />
        </div>
        {view === undefined && state.s === 'live' && (
          <div className="wf-wait">Waiting for the first spectrum from this node…</div>
        )}
      </div>
      <div className="legend">
        <span className="key current">current</span> <span className="key peak">peak hold</span>{' '}
        <span className="key average">average</span> <span className="key floor">noise floor</span>{' '}
        <span className="key detection">detections</span>
      </div>
      <div className="stats" data-testid="stats">
        <span data-testid="fps">{stats.fps.toFixed(1)} fps drawn</span>
        <span data-testid="kbps">{stats.kbps.toFixed(1)} kbit/s</span>
        <span data-testid="frames">{stats.frames} frames</span>
        <span data-testid="malformed">{stats.malformed} malformed dropped</span>
        <span data-testid="renderer">{renderer}</span>
        {view && (
          <span>
            {formatHz(view.f0)} – {formatHz(view.f1)}
          </span>
        )}
      </div>
    </section>
  );
}
