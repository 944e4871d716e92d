/**
 * A node's dedupe state: every sequence below `next` is stored, and so are those in `above`
 * (stored after a gap). The ingest persists it with each batch, in the batch's transaction, and
 * decides what a frame is against it.
 */
import type { SequenceState } from '../repositories/node.repository.ts';

export interface AcceptedUpdate extends SequenceState {
  /** Sequences of the batch that the state already held (stored by another server meanwhile). */
  readonly already: readonly number[];
}

/**
 * The state after storing `batch`. `above` keeps at most `maxAbove` sequences: past that, the
 * holes below the oldest kept ones are taken as lost (`next` moves over them, so a late frame from
 * a hole is a duplicate, never stored twice).
 */
export function acceptSequences(
  state: SequenceState,
  batch: Iterable<number>,
  maxAbove: number,
): AcceptedUpdate {
  const above = new Set(state.above);
  const already: number[] = [];
  for (const q of batch) {
    if (q < state.next || above.has(q)) already.push(q);
    else above.add(q);
  }
  let next = state.next;
  while (above.delete(next)) next++;
  let sorted = [...above].sort((a, b) => a - b);
  if (sorted.length > maxAbove) {
    next = sorted[sorted.length - maxAbove] as number;
    sorted = sorted.slice(sorted.length - maxAbove);
    let i = 0;
    while (sorted[i] === next) {
      next++;
      i++;
    }
    sorted = sorted.slice(i);
  }
  return { next, above: sorted, already };
}
