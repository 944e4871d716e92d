/**
 * Long-running verbs (`server`, `demo`, `sim serve`) serve until the user stops them. `cli.ts`
 * turns SIGINT/SIGTERM into `ctx.signal` once for every verb; this waits for it, so a verb only
 * says what it stops afterwards.
 */

/** Resolves when `signal` aborts (at once when it already has). */
export function untilStopped(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
