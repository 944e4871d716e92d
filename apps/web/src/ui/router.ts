/**
 * A small client-side router on the History API: the server answers every app path with
 * index.html, so deep links and reloads work. Routes are patterns like `/live/:id`.
 */
import { useEffect, useState } from 'react';

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const l of listeners) l();
}

export function useLocation(): { path: string; search: URLSearchParams } {
  const [, tick] = useState(0);
  useEffect(() => {
    const l = () => tick((n) => n + 1);
    listeners.add(l);
    window.addEventListener('popstate', l);
    return () => {
      listeners.delete(l);
      window.removeEventListener('popstate', l);
    };
  }, []);
  return { path: location.pathname, search: new URLSearchParams(location.search) };
}

/** The parameters of `pattern` in `path`, or undefined when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const a = p[i] as string;
    const b = s[i] as string;
    if (a.startsWith(':')) out[a.slice(1)] = decodeURIComponent(b);
    else if (a !== b) return undefined;
  }
  return out;
}

/** Click handler for in-app links (keeps ctrl/middle-click opening a new tab). */
export function linkClick(to: string) {
  return (e: { preventDefault(): void; ctrlKey: boolean; metaKey: boolean; button: number }) => {
    if (e.ctrlKey || e.metaKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
}
