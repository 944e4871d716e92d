/**
 * The shell: sign-in gate, navigation, theme, and the page for the current path. The Anomalies
 * page appears only when the server has `GET /api/v1/anomalies`.
 */
import { useEffect, useState } from 'react';
import { getOptional } from './api/client.ts';
import { loadSession, onSession, setSession, type Session } from './api/session.ts';
import { AnomaliesPage } from './pages/anomalies-page.tsx';
import { DetectionsPage } from './pages/detections-page.tsx';
import { FleetPage } from './pages/fleet-page.tsx';
import { HistoryPage } from './pages/history-page.tsx';
import { LivePage } from './pages/live-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { MapPage } from './pages/map-page.tsx';
import { NodePage } from './pages/node-page.tsx';
import { Link } from './ui/common.tsx';
import { match, navigate, useLocation } from './ui/router.ts';
import { ThemeToggle } from './ui/theme.tsx';

const NAV = [
  { to: '/map', label: 'Map' },
  { to: '/fleet', label: 'Fleet' },
  { to: '/detections', label: 'Detections' },
] as const;

function Page(props: { path: string; search: URLSearchParams; session: Session; anomalies: boolean }) {
  const { path, search, session } = props;
  let m: Record<string, string> | undefined;
  if ((m = match('/live/:id', path)))
    return <LivePage nodeId={m['id'] as string} forceCanvas={search.get('renderer') === '2d'} />;
  if ((m = match('/history/:id', path))) return <HistoryPage nodeId={m['id'] as string} search={search} />;
  if ((m = match('/fleet/:id', path))) return <NodePage nodeId={m['id'] as string} session={session} />;
  if (match('/fleet', path)) return <FleetPage session={session} />;
  if (match('/detections', path)) return <DetectionsPage search={search} session={session} />;
  if (match('/anomalies', path) && props.anomalies)
    return <AnomaliesPage session={session} search={search} />;
  if (match('/map', path) || path === '/') return <MapPage search={search} />;
  return (
    <div className="error" role="alert">
      No page at {path}. <Link to="/map">Go to the map</Link>
    </div>
  );
}

export function App() {
  const [session, setS] = useState<Session | undefined>(() => loadSession());
  const [anomalies, setAnomalies] = useState(false);
  const { path, search } = useLocation();
  useEffect(() => onSession(setS), []);
  useEffect(() => {
    // the access token is short-lived and there is no refresh: sign in again when it runs out
    if (session === undefined) return;
    const t = setTimeout(() => setSession(undefined), Math.max(0, session.expiresAt - Date.now()));
    return () => clearTimeout(t);
  }, [session]);
  useEffect(() => {
    if (session === undefined) return;
    // hide the page on servers without anomaly detection (404), show it when the route exists
    getOptional('/api/v1/anomalies', { limit: 1 }).then(
      (r) => setAnomalies(r !== undefined),
      () => setAnomalies(false),
    );
  }, [session]);
  useEffect(() => {
    if (session === undefined && path !== '/login')
      navigate(`/login?next=${encodeURIComponent(path + location.search)}`, true);
  }, [session, path]);

  if (session === undefined || path === '/login') return <LoginPage next={search.get('next') ?? '/map'} />;
  const nav = anomalies ? [...NAV, { to: '/anomalies', label: 'Anomalies' }] : NAV;
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/map" className="brand">
          Heimdall
        </Link>
        <nav aria-label="main">
          {nav.map((n) => (
            <Link key={n.to} to={n.to} className={path.startsWith(n.to) ? 'active' : ''}>
              {n.label}
            </Link>
          ))}
        </nav>
        <span className="spacer" />
        <ThemeToggle />
        <span className="who" data-testid="who">
          {session.username} <span className="role">{session.role}</span>
        </span>
        <button type="button" onClick={() => setSession(undefined)}>
          Sign out
        </button>
      </header>
      <main>
        <Page path={path} search={search} session={session} anomalies={anomalies} />
      </main>
    </div>
  );
}
