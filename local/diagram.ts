/**
 * The state machine as an accessible inline SVG, with the path an execution took highlighted, for the
 * auditors' executions view. Pure and deterministic (same definition and path → same bytes), no libraries.
 * local/diagram/layout.ts lays it out (one function a phase), local/diagram/render.ts draws it.
 */
import type { TakenPath } from './diagram/render.ts';

export { type DiagramOptions, renderStateMachineSvg, type TakenPath } from './diagram/render.ts';
export { edgesOf, sopLabel } from './diagram/states.ts';

/**
 * The path an execution took, from its history: top-level states in the order they were entered,
 * consecutive entries as transitions, and the current state when the last entered one has not exited.
 */
export function pathFromHistory(
  events: readonly { type: string; stateName?: string }[],
  running: boolean,
): TakenPath {
  const states: string[] = [];
  const transitions: [string, string][] = [];
  let open: string | undefined;
  for (const e of events) {
    if (!e.stateName) continue;
    if (e.type === 'StateEntered') {
      const prev = states[states.length - 1];
      if (prev !== undefined) transitions.push([prev, e.stateName]);
      states.push(e.stateName);
      open = e.stateName;
    } else if ((e.type === 'StateExited' || e.type === 'StateFailed') && e.stateName === open) {
      open = undefined;
    }
  }
  return running && open ? { states, transitions, current: open } : { states, transitions };
}
