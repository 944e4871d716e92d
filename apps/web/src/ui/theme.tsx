/**
 * Dark and light themes: the system preference by default, a toggle that remembers the choice.
 * Colours are CSS variables on `<html data-theme>`; canvases read them through {@link themeColor}.
 */
import { useEffect, useState } from 'react';

type Theme = 'dark' | 'light';
const KEY = 'heimdall.theme';

function initial(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === 'dark' || saved === 'light') return saved;
  return matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function applyTheme(t: Theme): void {
  document.documentElement.dataset['theme'] = t;
}

applyTheme(initial());

export function themeColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(initial);
  useEffect(() => applyTheme(theme), [theme]);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      aria-label={`switch to the ${next} theme`}
      onClick={() => {
        localStorage.setItem(KEY, next);
        setTheme(next);
      }}
    >
      {theme === 'dark' ? '☀ Light' : '☾ Dark'}
    </button>
  );
}
