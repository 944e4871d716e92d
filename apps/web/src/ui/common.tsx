/** Small shared pieces of the pages: links, load states, errors, time and number formats. */
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { linkClick } from './router.ts';

export function Link(props: { to: string; children: ReactNode; className?: string }) {
  return (
    <a href={props.to} onClick={linkClick(props.to)} className={props.className}>
      {props.children}
    </a>
  );
}

export function describeError(e: unknown): string {
  if (e instanceof ApiError) return e.describe();
  if (e instanceof Error) return e.message;
  return String(e);
}

export function ErrorBox(props: { error: unknown; retry?: () => void }) {
  return (
    <div className="error" role="alert">
      <strong>Could not load this.</strong> {describeError(props.error)}
      {props.retry && (
        <button type="button" onClick={props.retry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading(props: { what: string }) {
  return (
    <div className="loading" role="status">
      Loading {props.what}…
    </div>
  );
}

export type Async<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ok'; value: T };

/**
 * Runs `load` when `deps` change; `reload()` runs it again. Answers of superseded runs are ignored;
 * the last answer stays on screen while the next one loads.
 */
export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
): [Async<T>, () => void] {
  const [state, setState] = useState<Async<T>>({ state: 'loading' });
  const [n, setN] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    // keep showing the previous answer while the next one loads (no flashing on refresh)
    setState((prev) => (prev.state === 'ok' ? prev : { state: 'loading' }));
    load(ac.signal).then(
      (value) => {
        if (!ac.signal.aborted) setState({ state: 'ok', value });
      },
      (error: unknown) => {
        if (!ac.signal.aborted) setState({ state: 'error', error });
      },
    );
    return () => ac.abort();
  }, [...deps, n]);
  return [state, () => setN((x) => x + 1)];
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (iso === null || iso === undefined) return 'never';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.max(0, s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function timeText(iso: string): string {
  const d = new Date(iso);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString()}`;
}

/** `<input type="datetime-local">` value for an ISO time (local time zone). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 19);
}

export function StatusDot(props: { status: string }) {
  return <span className={`dot ${props.status}`} aria-label={props.status} title={props.status} />;
}

/** The colour scale of a spectrum or waterfall, dB. */
export interface DbScale {
  readonly min: number;
  readonly max: number;
}

/** The "min dB" and "max dB" fields that set a colour scale. */
export function DbScaleInputs(props: { scale: DbScale; onChange: (scale: DbScale) => void }) {
  const { scale, onChange } = props;
  return (
    <>
      <label>
        min dB
        <input
          type="number"
          value={scale.min}
          step={5}
          onChange={(e) => onChange({ ...scale, min: Number(e.target.value) })}
        />
      </label>
      <label>
        max dB
        <input
          type="number"
          value={scale.max}
          step={5}
          onChange={(e) => onChange({ ...scale, max: Number(e.target.value) })}
        />
      </label>
    </>
  );
}
