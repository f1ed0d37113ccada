/**
 * Draws a laid-out state machine (local/diagram/layout.ts) as an accessible inline SVG with the path an
 * execution took: states and transitions taken are marked by CSS classes, a thicker stroke, a
 * step-number badge and text (the <desc> lists the path), never by colour alone.
 */
import { escapeHtml } from '#shared/core/html/html.ts';
import type { AslDefinition } from '../asl-definition.ts';
import { type Layout, layerTop, layout, NODE_H, TOP } from './layout.ts';
import { isTerminal, kindLabel, sopLabel } from './states.ts';

export interface TakenPath {
  /** States entered, in order (repeats allowed: loops). */
  states: string[];
  /** Transitions taken, as [from, to] pairs. */
  transitions: [string, string][];
  /** The state the execution is in now, if it is still running. */
  current?: string;
}

export interface DiagramOptions {
  /** Accessible title (default: "State machine diagram"). */
  title?: string;
  /** Prefix for the SVG's ids (markers), so two diagrams can share a page. */
  idPrefix?: string;
}

const fmt = (n: number) => String(Math.round(n * 10) / 10);

/** A smooth path through points, leaving and entering each point vertically. */
function smoothPath(points: [number, number][]): string {
  let d = `M${fmt(points[0]![0])},${fmt(points[0]![1])}`;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    if (x0 === x1) {
      d += ` L${fmt(x1)},${fmt(y1)}`;
      continue;
    }
    const dy = (y1 - y0) / 2;
    d += ` C${fmt(x0)},${fmt(y0 + dy)} ${fmt(x1)},${fmt(y1 - dy)} ${fmt(x1)},${fmt(y1)}`;
  }
  return d;
}

const STYLE = `
.sm-bg{fill:#fff}
.sm-state rect,.sm-state polygon{fill:#fff;stroke:#57606a;stroke-width:1.2}
.sm-state.choice polygon{fill:#f6f8fa}
.sm-state.human-task rect{fill:#fff8c5}
.sm-state.terminal rect{fill:#f6f8fa}
.sm-state.fail rect{stroke:#b42318}
.sm-state.taken rect,.sm-state.taken polygon{stroke:#0b5cad;stroke-width:3.5;fill:#ddf4ff}
.sm-state.current rect,.sm-state.current polygon{stroke:#9a6700;stroke-width:4;stroke-dasharray:7 4;fill:#fff8c5}
.sm-name{font:600 12.5px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#1b1f24}
.sm-sub{font:11px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#57606a}
.sm-badge circle{fill:#0b5cad}.sm-badge text{font:700 10px system-ui,sans-serif;fill:#fff}
.sm-edge{fill:none;stroke:#8c959f;stroke-width:1.3}
.sm-edge.catch{stroke-dasharray:5 4}
.sm-edge.bus{stroke:#d0d7de;stroke-dasharray:3 4}
.sm-edge.back{stroke:#6e7781}
.sm-edge.taken{stroke:#0b5cad;stroke-width:3.5;stroke-dasharray:none}
.sm-arrow{fill:#8c959f}.sm-arrow-taken{fill:#0b5cad}
.sm-start{fill:#1b1f24}.sm-label{font:11px system-ui,sans-serif;fill:#57606a}
`;

/** What of the path is drawn: known states only, the first step of each, visits, the current state. */
interface Highlight {
  takenStates: Set<string>;
  takenEdges: Set<string>;
  firstStep: Map<string, number>;
  visits: Map<string, number>;
  current: string | undefined;
}

function highlight(l: Layout, taken: TakenPath): Highlight {
  const takenStates = new Set(taken.states.filter((s) => Object.hasOwn(l.states, s)));
  const takenEdges = new Set(taken.transitions.map(([a, b]) => `${a}\u0000${b}`));
  const firstStep = new Map<string, number>();
  const visits = new Map<string, number>();
  let step = 0;
  for (const s of taken.states) {
    if (!Object.hasOwn(l.states, s)) continue;
    step++;
    if (!firstStep.has(s)) firstStep.set(s, step);
    visits.set(s, (visits.get(s) ?? 0) + 1);
  }
  const current = taken.current && Object.hasOwn(l.states, taken.current) ? taken.current : undefined;
  return { takenStates, takenEdges, firstStep, visits, current };
}

/** Ports: a node's edges spread along its bottom (outgoing) and top (incoming) sides, by edge index. */
function ports(l: Layout): Map<string, number> {
  const node = (name: string) => l.nodes.get(name)!;
  const exits = new Map<string, { edge: number; towards: number }[]>();
  const entries = new Map<string, { edge: number; from: number }[]>();
  const firstHop = (i: number, fromUpper: boolean): number => {
    const e = l.edges[i]!;
    const wps = l.waypoints.get(i) ?? [];
    const [upper, lower] = e.back ? [e.to, e.from] : [e.from, e.to];
    const hop = fromUpper ? (wps[0] ?? lower) : (wps[wps.length - 1] ?? upper);
    return node(hop).x;
  };
  l.edges.forEach((e, i) => {
    if (e.bus || e.from === e.to || !l.waypoints.has(i)) return;
    const [upper, lower] = e.back ? [e.to, e.from] : [e.from, e.to];
    if (!exits.has(upper)) exits.set(upper, []);
    exits.get(upper)!.push({ edge: i, towards: firstHop(i, true) });
    if (!entries.has(lower)) entries.set(lower, []);
    entries.get(lower)!.push({ edge: i, from: firstHop(i, false) });
  });
  const portX = new Map<string, number>();
  const spread = (name: string, list: { edge: number; key: number }[], side: 'top' | 'bottom') => {
    const n = node(name);
    list.sort((a, b) => a.key - b.key || a.edge - b.edge);
    const step = Math.min(14, (n.width - 24) / Math.max(1, list.length));
    list.forEach((p, i) => {
      portX.set(`${side}:${p.edge}`, n.x + (i - (list.length - 1) / 2) * step);
    });
  };
  for (const [name, list] of exits)
    spread(
      name,
      list.map((p) => ({ edge: p.edge, key: p.towards })),
      'bottom',
    );
  for (const [name, list] of entries)
    spread(
      name,
      list.map((p) => ({ edge: p.edge, key: p.from })),
      'top',
    );
  return portX;
}

/** The path data of edge `i`: a self-loop, the error bus, through its waypoints, or straight. */
function edgePath(l: Layout, i: number, portX: Map<string, number>): string {
  const e = l.edges[i]!;
  const node = (name: string) => l.nodes.get(name)!;
  const a = node(e.from);
  const b = node(e.to);
  if (e.from === e.to) {
    const x = a.x + a.width / 2;
    const y = layerTop(a.layer);
    return `M${fmt(x)},${fmt(y + 12)} C${fmt(x + 34)},${fmt(y)} ${fmt(x + 34)},${fmt(y + NODE_H)} ${fmt(x)},${fmt(y + NODE_H - 12)}`;
  }
  if (e.bus) {
    const sx = a.x + a.width / 2 - 8;
    const gapY = layerTop(a.layer) + NODE_H + 10;
    if (b.layer <= a.layer)
      return `M${fmt(a.x)},${fmt(layerTop(a.layer) + NODE_H)} L${fmt(b.x)},${fmt(layerTop(b.layer))}`;
    return `M${fmt(sx)},${fmt(layerTop(a.layer) + NODE_H)} L${fmt(sx)},${fmt(gapY)} L${fmt(b.x)},${fmt(gapY)} L${fmt(b.x)},${fmt(layerTop(b.layer))}`;
  }
  if (l.waypoints.has(i)) {
    const [upper, lower] = e.back ? [e.to, e.from] : [e.from, e.to];
    const u = node(upper);
    const w = node(lower);
    const pts: [number, number][] = [[portX.get(`bottom:${i}`) ?? u.x, layerTop(u.layer) + NODE_H]];
    for (const id of l.waypoints.get(i)!) {
      const p = node(id);
      pts.push([p.x, layerTop(p.layer)], [p.x, layerTop(p.layer) + NODE_H]);
    }
    pts.push([portX.get(`top:${i}`) ?? w.x, layerTop(w.layer)]);
    if (e.back) pts.reverse();
    return smoothPath(pts);
  }
  return smoothPath([
    [a.x, layerTop(a.layer) + NODE_H],
    [b.x, layerTop(b.layer)],
  ]);
}

function edgesSvg(l: Layout, h: Highlight, prefix: string): { taken: boolean; svg: string }[] {
  const portX = ports(l);
  return l.edges.map((e, i) => {
    const isTaken = h.takenEdges.has(`${e.from}\u0000${e.to}`);
    const d = edgePath(l, i, portX);
    const classes = ['sm-edge', e.kind, e.back ? 'back' : '', e.bus ? 'bus' : '', isTaken ? 'taken' : '']
      .filter(Boolean)
      .join(' ');
    const marker = isTaken ? `${prefix}-arrow-taken` : `${prefix}-arrow`;
    const label = `${e.from} → ${e.to}${e.kind === 'catch' ? ' (on error)' : ''}${e.back ? ' (loop)' : ''}${isTaken ? ' — taken' : ''}`;
    return {
      taken: isTaken,
      svg: `<path class="${classes}" data-from="${escapeHtml(e.from)}" data-to="${escapeHtml(e.to)}" d="${d}" marker-end="url(#${marker})"><title>${escapeHtml(label)}</title></path>`,
    };
  });
}

function stateSvg(l: Layout, h: Highlight, name: string): string {
  const s = l.states[name]!;
  const n = l.nodes.get(name)!;
  const x = n.x - n.width / 2;
  const y = layerTop(n.layer);
  const sop = sopLabel(s.Comment);
  const isCurrent = h.current === name;
  const isTaken = h.takenStates.has(name);
  const sub = [sop, kindLabel(s), isCurrent ? 'now' : ''].filter(Boolean).join(' · ');
  const classes = [
    'sm-state',
    kindLabel(s).replace(' ', '-'),
    s.Type === 'Fail' ? 'fail' : '',
    isTerminal(s) ? 'terminal' : '',
    isTaken ? 'taken' : '',
    isCurrent ? 'current' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const shape =
    s.Type === 'Choice'
      ? `<polygon points="${fmt(x + 10)},${fmt(y)} ${fmt(x + n.width - 10)},${fmt(y)} ${fmt(x + n.width)},${fmt(y + NODE_H / 2)} ${fmt(x + n.width - 10)},${fmt(y + NODE_H)} ${fmt(x + 10)},${fmt(y + NODE_H)} ${fmt(x)},${fmt(y + NODE_H / 2)}"/>`
      : `<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(n.width)}" height="${NODE_H}" rx="${isTerminal(s) ? NODE_H / 2 : s.Type === 'Task' ? 8 : 2}"/>`;
  const times = h.visits.get(name) ?? 0;
  const tooltip = [
    `${name} (${[kindLabel(s), sop].filter(Boolean).join(', ')})`,
    s.Comment,
    isTaken
      ? `Taken: step ${h.firstStep.get(name)}${times > 1 ? `, entered ${times} times` : ''}.`
      : 'Not taken.',
    isCurrent ? 'Current state.' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const badge = isTaken
    ? `<g class="sm-badge" aria-hidden="true"><circle cx="${fmt(x + 2)}" cy="${fmt(y + 2)}" r="10"/><text x="${fmt(x + 2)}" y="${fmt(y + 5.5)}" text-anchor="middle">${h.firstStep.get(name)}</text></g>`
    : '';
  return (
    `<g class="${classes}" data-state="${escapeHtml(name)}"${isTaken ? ' data-taken="true"' : ''}${isCurrent ? ' data-current="true"' : ''}>` +
    `<title>${escapeHtml(tooltip)}</title>${shape}` +
    `<text class="sm-name" x="${fmt(n.x)}" y="${fmt(y + 19)}" text-anchor="middle">${escapeHtml(name)}</text>` +
    `<text class="sm-sub" x="${fmt(n.x)}" y="${fmt(y + 35)}" text-anchor="middle">${escapeHtml(sub)}</text>` +
    `${badge}</g>`
  );
}

function startSvg(l: Layout, h: Highlight, startAt: string, prefix: string): string {
  const start = l.nodes.get(startAt);
  if (!start) return '';
  const taken = h.takenStates.has(startAt);
  return (
    `<g class="sm-start-marker"><circle class="sm-start" cx="${fmt(start.x)}" cy="14" r="7"/><text class="sm-label" x="${fmt(start.x + 12)}" y="18">Start</text>` +
    `<path class="sm-edge${taken ? ' taken' : ''}" d="M${fmt(start.x)},21 L${fmt(start.x)},${TOP}" marker-end="url(#${prefix}-arrow${taken ? '-taken' : ''})"/></g>`
  );
}

/**
 * The definition as an SVG document fragment (no XML prolog), ready to inline in a page.
 * Only states and transitions that exist in the definition are drawn; unknown names in `taken` are ignored.
 */
export function renderStateMachineSvg(
  definition: AslDefinition,
  taken: TakenPath,
  options: DiagramOptions = {},
): string {
  const l = layout(definition);
  const prefix = (options.idPrefix ?? 'sm').replace(/[^\w-]/g, '');
  const h = highlight(l, taken);
  const title = options.title ?? 'State machine diagram';
  const pathText = taken.states.filter((s) => Object.hasOwn(l.states, s)).join(' → ');
  const desc =
    `${Object.keys(l.states).length} states, starting at ${definition.StartAt}. ` +
    (pathText ? `Path taken (highlighted): ${pathText}.` : 'No state has been entered yet.') +
    (h.current ? ` Current state: ${h.current}.` : '');
  const edges = edgesSvg(l, h, prefix);
  const states = Object.keys(l.states).map((name) => stateSvg(l, h, name));
  const marker = (id: string, cls: string, size: number) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="${size}" markerHeight="${size}" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path class="${cls}" d="M0,0 L10,5 L0,10 z"/></marker>`;

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="sm-diagram" role="img" aria-labelledby="${prefix}-title ${prefix}-desc" ` +
    `viewBox="0 0 ${l.width} ${l.height}" width="100%" preserveAspectRatio="xMidYMin meet" ` +
    `style="min-width:${Math.ceil(l.width * 0.6)}px;max-width:${l.width}px;height:auto" data-width="${l.width}" data-height="${l.height}">` +
    `<title id="${prefix}-title">${escapeHtml(title)}</title><desc id="${prefix}-desc">${escapeHtml(desc)}</desc>` +
    `<style>${STYLE}</style>` +
    `<defs>${marker(`${prefix}-arrow`, 'sm-arrow', 9)}${marker(`${prefix}-arrow-taken`, 'sm-arrow-taken', 12)}</defs>` +
    `<rect class="sm-bg" width="${l.width}" height="${l.height}"/>` +
    `<g class="sm-edges">${edges
      .filter((e) => !e.taken)
      .map((e) => e.svg)
      .join('')}</g>` +
    `<g class="sm-edges-taken">${edges
      .filter((e) => e.taken)
      .map((e) => e.svg)
      .join('')}</g>` +
    startSvg(l, h, definition.StartAt, prefix) +
    `<g class="sm-states">${states.join('')}</g>` +
    '</svg>'
  );
}
