/**
 * Nodes on a world map that needs no internet (bundled outlines, SVG). Wheel or +/- to zoom, drag
 * or arrow keys to pan; nodes coloured by status; click one to open it. Nodes without a location
 * are listed below the map. Localization fixes are drawn with their ellipses and the nodes used,
 * beside a list of recent localizations; `?loc=<id>` focuses one (where Locate lands). The list is
 * polled: every 2 s while one is pending, every 10 s otherwise.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { api, type Node } from '../api/client.ts';
import { isPending, mapPathFor, type Localization } from '../api/locate.ts';
import { labelFontSize, placeLabels } from '../map/label-layout.ts';
import { FixLayer, fixBox } from '../map/localization-layer.tsx';
import { LocalizationPanel } from '../map/localization-panel.tsx';
import { MAP_HEIGHT, MAP_WIDTH, project, worldPath } from '../map/world.ts';
import { ErrorBox, Link, Loading, StatusDot, useAsync } from '../ui/common.tsx';
import { navigate } from '../ui/router.ts';

interface Box {
  x: number;
  y: number;
  w: number;
}

function fit(nodes: readonly Node[]): Box {
  const pts = nodes.flatMap((n) => (n.location ? [project(n.location.lon, n.location.lat)] : []));
  if (pts.length === 0) return { x: 0, y: 0, w: MAP_WIDTH };
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const w = Math.max(
    40,
    (Math.max(...xs) - Math.min(...xs)) * 1.6,
    (Math.max(...ys) - Math.min(...ys)) * 3.2,
  );
  return {
    x: (Math.max(...xs) + Math.min(...xs)) / 2 - w / 2,
    y: (Math.max(...ys) + Math.min(...ys)) / 2 - w / 4,
    w,
  };
}

/** How many recent localizations the panel lists (and the map draws). */
const RECENT_LOCALIZATIONS = 20;

/** The recent localizations, and the focused one even when it is older than those. */
async function loadLocalizations(focusId: string | undefined, signal: AbortSignal): Promise<Localization[]> {
  const page = await api.get('/api/v1/localizations', { query: { limit: RECENT_LOCALIZATIONS }, signal });
  if (focusId === undefined || page.items.some((l) => l.id === focusId)) return page.items;
  const focused = await api.get('/api/v1/localizations/{id}', { params: { id: focusId }, signal });
  return [focused, ...page.items];
}

export function MapPage(props: { search: URLSearchParams }) {
  const focusId = props.search.get('loc') ?? undefined;
  const [nodes, reload] = useAsync(
    (signal) => api.get('/api/v1/nodes', { query: { limit: 1000 }, signal }),
    [],
  );
  const [locs, reloadLocs] = useAsync((signal) => loadLocalizations(focusId, signal), [focusId]);
  const [box, setBox] = useState<Box | undefined>();
  const svgRef = useRef<SVGSVGElement>(null);
  const fitted = useRef<string | undefined>(undefined);
  const path = useMemo(() => worldPath(), []);
  const items = nodes.state === 'ok' ? nodes.value.items : [];
  const localizations = locs.state === 'ok' ? locs.value : [];
  const view = box ?? fit(items);
  const pending = localizations.some(isPending);

  useEffect(() => {
    const t = setInterval(reload, 15_000);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    const t = setInterval(reloadLocs, pending ? 2000 : 10_000);
    return () => clearInterval(t);
  }, [pending, focusId]);

  const nodeXY = useMemo(
    () =>
      new Map(
        items.flatMap((n) => (n.location ? [[n.id, project(n.location.lon, n.location.lat)] as const] : [])),
      ),
    [items],
  );
  const focused = localizations.find((l) => l.id === focusId);
  // frame the focused localization once it is known, and again when its fix arrives
  const fitKey = focused === undefined ? undefined : `${focused.id}:${focused.status}`;
  useEffect(() => {
    if (focused === undefined || fitKey === fitted.current || nodeXY.size === 0) return;
    const b = fixBox(focused, nodeXY, MAP_WIDTH);
    if (b === undefined) return;
    fitted.current = fitKey;
    setBox(b);
  }, [fitKey, nodeXY]);

  function focus(id: string) {
    fitted.current = undefined;
    navigate(mapPathFor(id), true);
  }

  function zoomAt(factor: number, fx = 0.5, fy = 0.5) {
    const w = Math.min(MAP_WIDTH * 1.5, Math.max(5, view.w * factor));
    const cx = view.x + fx * view.w;
    const cy = view.y + fy * (view.w / 2);
    setBox({ x: cx - fx * w, y: cy - fy * (w / 2), w });
  }

  useEffect(() => {
    const el = svgRef.current;
    if (el === null) return;
    let drag: { x: number; y: number; box: Box } | undefined;
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      zoomAt(e.deltaY > 0 ? 1.25 : 0.8, (e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height);
    };
    const down = (e: MouseEvent) => {
      drag = { x: e.clientX, y: e.clientY, box: view };
    };
    const move = (e: MouseEvent) => {
      if (drag === undefined) return;
      const s = drag.box.w / el.getBoundingClientRect().width;
      setBox({
        x: drag.box.x - (e.clientX - drag.x) * s,
        y: drag.box.y - (e.clientY - drag.y) * s,
        w: drag.box.w,
      });
    };
    const up = () => {
      drag = undefined;
    };
    el.addEventListener('wheel', wheel, { passive: false });
    el.addEventListener('mousedown', down);
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
    return () => {
      el.removeEventListener('wheel', wheel);
      el.removeEventListener('mousedown', down);
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
    };
  });

  function onKey(e: KeyboardEvent) {
    const d = view.w * 0.1;
    const keys: Record<string, () => void> = {
      '+': () => zoomAt(0.8),
      '=': () => zoomAt(0.8),
      '-': () => zoomAt(1.25),
      ArrowLeft: () => setBox({ ...view, x: view.x - d }),
      ArrowRight: () => setBox({ ...view, x: view.x + d }),
      ArrowUp: () => setBox({ ...view, y: view.y - d }),
      ArrowDown: () => setBox({ ...view, y: view.y + d }),
      '0': () => setBox(undefined),
    };
    const k = keys[e.key];
    if (k) {
      e.preventDefault();
      k();
    }
  }

  const r = view.w / 120;
  const placed = useMemo(() => {
    const located = items.flatMap((n) => {
      if (!n.location) return [];
      const [x, y] = project(n.location.lon, n.location.lat);
      return [{ id: n.id, x, y, text: n.name }];
    });
    const labels = placeLabels(located, r);
    return new Map(located.map((p, i) => [p.id, { x: p.x, y: p.y, label: labels[i] }]));
  }, [items, r]);
  const unplaced = items.filter((n) => n.location === null);
  const names = new Map(items.map((n) => [n.id, n.name]));
  return (
    <section aria-label="map" className="map-page">
      <div className="page-head">
        <h1>Map</h1>
        <span className="muted">
          {items.filter((n) => n.status === 'online').length} of {items.length} nodes online
        </span>
        <button type="button" onClick={() => setBox(undefined)}>
          Fit nodes
        </button>
      </div>
      {nodes.state === 'loading' && <Loading what="nodes" />}
      {nodes.state === 'error' && <ErrorBox error={nodes.error} retry={reload} />}
      {locs.state === 'error' && <ErrorBox error={locs.error} retry={reloadLocs} />}
      <div className="map-layout">
        <svg
          ref={svgRef}
          className="map"
          viewBox={`${view.x} ${view.y} ${view.w} ${view.w / 2}`}
          tabIndex={0}
          onKeyDown={onKey}
          role="img"
          aria-label="map of the nodes: wheel or +/- to zoom, drag or arrows to pan, 0 to fit"
          data-testid="map"
        >
          <rect
            x={-MAP_WIDTH}
            y={-MAP_HEIGHT}
            width={MAP_WIDTH * 3}
            height={MAP_HEIGHT * 3}
            className="sea"
          />
          <path d={path} className="land" strokeWidth={view.w / 1500} />
          {/* under the nodes, so a large ellipse does not hide them from the pointer */}
          <FixLayer fixes={localizations} nodes={nodeXY} focusedId={focusId} r={r} onFocus={focus} />
          {items.map((n) => {
            const p = placed.get(n.id);
            if (p === undefined) return null;
            const { x, y, label } = p;
            return (
              <g
                key={n.id}
                className={`node ${n.status}`}
                onClick={() => navigate(`/fleet/${n.id}`)}
                role="link"
                aria-label={`${n.name}, ${n.status}`}
                data-testid="map-node"
              >
                <title>{n.name}</title>
                <circle cx={x} cy={y} r={r} strokeWidth={r / 4} />
                {label && (
                  <text x={label.x} y={label.y} textAnchor={label.anchor} fontSize={labelFontSize(r)}>
                    {n.name}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
        <LocalizationPanel items={localizations} focusedId={focusId} nodeNames={names} onFocus={focus} />
      </div>
      <div className="legend">
        <span>
          <StatusDot status="online" /> online
        </span>
        <span>
          <StatusDot status="offline" /> offline
        </span>
        <span>
          <span className="fix-key" aria-hidden="true">
            ◆
          </span>{' '}
          localization fix, 95 % ellipse, dashed lines to the nodes used
        </span>
        <span className="muted">Map data: Natural Earth (public domain), bundled.</span>
      </div>
      {unplaced.length > 0 && (
        <p className="muted">
          Without a location:{' '}
          {unplaced.map((n) => (
            <Link key={n.id} to={`/fleet/${n.id}`}>
              {n.name}{' '}
            </Link>
          ))}
        </p>
      )}
    </section>
  );
}
