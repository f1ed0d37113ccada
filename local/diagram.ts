/**
 * The state machine as an accessible inline SVG, with the path an execution took highlighted, for the
 * auditors' executions view. Pure and deterministic (same definition and path → same bytes), no libraries.
 *
 * Layout (a small Sugiyama-style layered drawing):
 * 1. edges are read from Next / Default / Choices[].Next / Catch[].Next; back-edges found by a depth-first
 *    walk from StartAt (the replacement loop, the SSL poll loops) are reversed for layering only;
 * 2. layers by longest path from the roots, so every forward edge points down;
 * 3. a catch-all error handler that many states share (RecordError) sits in its own column at the
 *    right, fed by one "error bus" instead of dozens of crossing lines;
 * 4. long edges get a waypoint in every layer they cross; the order inside each layer is improved
 *    with barycentre sweeps (the order with the fewest crossings wins);
 * 5. x positions: each layer is pulled towards its neighbours' positions under the no-overlap
 *    constraint (isotonic regression), alternating down and up sweeps.
 * States and transitions taken are marked by CSS classes, a thicker stroke, a step-number badge and
 * text (the <desc> lists the path), never by colour alone.
 */
import { escapeHtml } from '#shared/mail/html.ts';
import type { AslDefinition } from './asl-runner.ts';

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

/** The fields of a state the diagram reads (the runner's AslDefinition types only what it runs). */
interface DiagramState {
  Type: string;
  Comment?: string;
  Resource?: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string; ErrorEquals?: string[] }[];
}

type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** Goes against the flow (a loop): drawn upwards. */
  back: boolean;
  /** A catch edge into the shared error handler: drawn along the error bus. */
  bus: boolean;
}

interface LayoutNode {
  id: string;
  /** Real state name, or undefined for a waypoint of a long edge. */
  state?: string;
  layer: number;
  width: number;
  x: number;
}

const NODE_H = 46;
const LAYER_GAP = 38;
const PITCH = NODE_H + LAYER_GAP;
const MARGIN = 16;
const TOP = 44;
const GAP_REAL = 26;
const GAP_WAYPOINT = 12;
const BUS_GAP = 36;
const ORDER_SWEEPS = 24;
const PLACE_SWEEPS = 12;
const WAYPOINT_WEIGHT = 2;

const LAMBDA_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** "SOP 4", "SOP 6/9/11", "SOP 11 to 4" from a state's Comment; undefined when it names no step. */
export function sopLabel(comment: string | undefined): string | undefined {
  const match = /^SOP\s+(\d+(?:\s*(?:\/|to|-|–)\s*\d+)*)/.exec(comment ?? '');
  return match ? `SOP ${match[1]}` : undefined;
}

function kindLabel(state: DiagramState): string {
  if (state.Type === 'Task') return state.Resource === LAMBDA_WAIT ? 'human task' : 'task';
  return state.Type.toLowerCase();
}

function isTerminal(state: DiagramState): boolean {
  return state.End === true || state.Type === 'Fail' || state.Type === 'Succeed';
}

function textWidth(text: string, perChar: number): number {
  return Math.ceil(text.length * perChar);
}

/** Every edge of the definition, once per (from, to) pair, in a stable order. */
export function edgesOf(definition: AslDefinition): { from: string; to: string; kind: EdgeKind }[] {
  const states = definition.States as Record<string, DiagramState>;
  const seen = new Set<string>();
  const out: { from: string; to: string; kind: EdgeKind }[] = [];
  const add = (from: string, to: string | undefined, kind: EdgeKind) => {
    if (!to || !Object.hasOwn(states, to) || seen.has(`${from}\u0000${to}`)) return;
    seen.add(`${from}\u0000${to}`);
    out.push({ from, to, kind });
  };
  for (const [name, s] of Object.entries(states)) {
    add(name, s.Next, 'next');
    for (const c of s.Choices ?? []) add(name, c.Next, 'choice');
    add(name, s.Default, 'default');
    for (const c of s.Catch ?? []) add(name, c.Next, 'catch');
  }
  return out;
}

interface Layout {
  states: Record<string, DiagramState>;
  edges: Edge[];
  nodes: Map<string, LayoutNode>;
  /** Per layer, node ids left to right. */
  layers: string[][];
  /** For each edge (by index), the waypoint ids it passes through, from its upper end downwards. */
  waypoints: Map<number, string[]>;
  /** The shared error handlers and what only they lead to (drawn in the right-hand column). */
  handlerGroup: Set<string>;
  width: number;
  height: number;
}

/** Layouts by definition object (definitions are not changed after loading): a page view re-draws only the highlighting. */
const layouts = new WeakMap<AslDefinition, Layout>();

function layout(definition: AslDefinition): Layout {
  const cached = layouts.get(definition);
  if (cached) return cached;
  const computed = computeLayout(definition);
  layouts.set(definition, computed);
  return computed;
}

function computeLayout(definition: AslDefinition): Layout {
  const states = definition.States as Record<string, DiagramState>;
  const names = Object.keys(states);
  const index = new Map(names.map((n, i) => [n, i]));
  const raw = edgesOf(definition);
  const out = new Map<string, typeof raw>();
  for (const n of names) out.set(n, []);
  for (const e of raw) out.get(e.from)!.push(e);

  // Back edges: a depth-first walk from StartAt, then from any state it did not reach.
  const colour = new Map<string, 'grey' | 'black'>();
  const back = new Set<string>();
  const roots = [definition.StartAt, ...names].filter((n) => Object.hasOwn(states, n));
  for (const root of roots) {
    if (colour.has(root)) continue;
    const stack: { node: string; next: number }[] = [{ node: root, next: 0 }];
    colour.set(root, 'grey');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const edges = out.get(top.node)!;
      if (top.next >= edges.length) {
        colour.set(top.node, 'black');
        stack.pop();
        continue;
      }
      const e = edges[top.next++]!;
      const c = colour.get(e.to);
      if (c === 'grey') back.add(`${e.from}\u0000${e.to}`);
      else if (!c) {
        colour.set(e.to, 'grey');
        stack.push({ node: e.to, next: 0 });
      }
    }
  }

  // Shared error handlers: targets of catch edges from three or more states, unless the normal
  // flow also leads there.
  const catchSources = new Map<string, Set<string>>();
  for (const e of raw) {
    if (e.kind !== 'catch') continue;
    if (!catchSources.has(e.to)) catchSources.set(e.to, new Set());
    catchSources.get(e.to)!.add(e.from);
  }
  const candidates = new Set([...catchSources].filter(([, s]) => s.size >= 3).map(([t]) => t));
  const isCandidateEdge = (e: { kind: EdgeKind; to: string }) => e.kind === 'catch' && candidates.has(e.to);
  const main = new Set<string>();
  const walk = [definition.StartAt].filter((n) => Object.hasOwn(states, n));
  while (walk.length > 0) {
    const n = walk.pop()!;
    if (main.has(n)) continue;
    main.add(n);
    for (const e of out.get(n)!) if (!isCandidateEdge(e)) walk.push(e.to);
  }
  const handlerGroup = new Set<string>();
  const groupWalk = [...candidates].filter((t) => !main.has(t));
  while (groupWalk.length > 0) {
    const n = groupWalk.pop()!;
    if (handlerGroup.has(n) || main.has(n)) continue;
    handlerGroup.add(n);
    for (const e of out.get(n)!) groupWalk.push(e.to);
  }

  const edges: Edge[] = raw.map((e) => {
    const isBack = back.has(`${e.from}\u0000${e.to}`);
    return { ...e, back: isBack, bus: !isBack && isCandidateEdge(e) && handlerGroup.has(e.to) };
  });

  // Layers: longest path over forward edges (Kahn's order, ties by definition order).
  const indegree = new Map(names.map((n) => [n, 0]));
  for (const e of edges) if (!e.back && e.from !== e.to) indegree.set(e.to, indegree.get(e.to)! + 1);
  const layerOf = new Map(names.map((n) => [n, 0]));
  const ready = names.filter((n) => indegree.get(n) === 0);
  while (ready.length > 0) {
    ready.sort((a, b) => index.get(a)! - index.get(b)!);
    const n = ready.shift()!;
    for (const e of edges) {
      if (e.from !== n || e.back || e.from === e.to) continue;
      layerOf.set(e.to, Math.max(layerOf.get(e.to)!, layerOf.get(n)! + 1));
      indegree.set(e.to, indegree.get(e.to)! - 1);
      if (indegree.get(e.to) === 0) ready.push(e.to);
    }
  }
  const layerCount = Math.max(0, ...layerOf.values()) + 1;

  // Nodes, in depth-first discovery order, then waypoints for edges spanning several layers.
  const nodes = new Map<string, LayoutNode>();
  const discovery = [...colour.keys()];
  for (const name of discovery) {
    const s = states[name]!;
    const sub = [sopLabel(s.Comment), kindLabel(s)].filter(Boolean).join(' · ');
    const width = Math.max(112, textWidth(name, 8) + 24, textWidth(`${sub} · now`, 6.3) + 24);
    nodes.set(name, { id: name, state: name, layer: layerOf.get(name)!, width, x: 0 });
  }
  const waypoints = new Map<number, string[]>();
  const segments: [string, string][] = [];
  edges.forEach((e, i) => {
    if (e.bus || e.from === e.to) return;
    const [upper, lower] = e.back ? [e.to, e.from] : [e.from, e.to];
    // Edges touching the handler column are drawn directly (it has no waypoints).
    if (handlerGroup.has(upper) || handlerGroup.has(lower)) return;
    const lu = layerOf.get(upper)!;
    const ll = layerOf.get(lower)!;
    const chain = [upper];
    const ids: string[] = [];
    for (let l = lu + 1; l < ll; l++) {
      const id = `\u0000wp${i}:${l}`;
      nodes.set(id, { id, layer: l, width: 0, x: 0 });
      ids.push(id);
      chain.push(id);
    }
    chain.push(lower);
    waypoints.set(i, ids);
    for (let k = 0; k + 1 < chain.length; k++) segments.push([chain[k]!, chain[k + 1]!]);
  });

  const layers: string[][] = Array.from({ length: layerCount }, () => []);
  for (const n of nodes.values()) if (!n.state || !handlerGroup.has(n.state)) layers[n.layer]!.push(n.id);

  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const id of nodes.keys()) {
    up.set(id, []);
    down.set(id, []);
  }
  for (const [a, b] of segments) {
    down.get(a)!.push(b);
    up.get(b)!.push(a);
  }

  // Order inside layers: barycentre sweeps, keep the order with the fewest crossings.
  const position = new Map<string, number>();
  const reindex = () => {
    for (const layer of layers)
      layer.forEach((id, i) => {
        position.set(id, i);
      });
  };
  reindex();
  const crossings = () => {
    let total = 0;
    for (let l = 0; l + 1 < layers.length; l++) {
      const segs: [number, number][] = [];
      for (const a of layers[l]!)
        for (const b of down.get(a)!) segs.push([position.get(a)!, position.get(b)!]);
      for (let i = 0; i < segs.length; i++)
        for (let j = i + 1; j < segs.length; j++) {
          const [a1, b1] = segs[i]!;
          const [a2, b2] = segs[j]!;
          if ((a1 - a2) * (b1 - b2) < 0) total++;
        }
    }
    return total;
  };
  let best = layers.map((l) => [...l]);
  let bestCrossings = crossings();
  for (let sweep = 0; sweep < ORDER_SWEEPS && bestCrossings > 0; sweep++) {
    const downwards = sweep % 2 === 0;
    const order = downwards ? layers.keys() : [...layers.keys()].reverse();
    for (const l of order) {
      const layer = layers[l]!;
      const neighbours = downwards ? up : down;
      const bary = new Map<string, number>();
      for (const id of layer) {
        const ns = neighbours.get(id)!;
        bary.set(
          id,
          ns.length > 0 ? ns.reduce((s, n) => s + position.get(n)!, 0) / ns.length : position.get(id)!,
        );
      }
      layer.sort((a, b) => bary.get(a)! - bary.get(b)! || position.get(a)! - position.get(b)!);
      layer.forEach((id, i) => {
        position.set(id, i);
      });
    }
    const c = crossings();
    if (c < bestCrossings) {
      bestCrossings = c;
      best = layers.map((l) => [...l]);
    }
  }
  best.forEach((l, i) => {
    layers[i] = l;
  });
  reindex();

  // x positions: pull each layer towards its neighbours without overlaps.
  const gapBetween = (a: LayoutNode, b: LayoutNode) =>
    a.width / 2 + b.width / 2 + (a.state && b.state ? GAP_REAL : GAP_WAYPOINT);
  for (const layer of layers) {
    let x = 0;
    layer.forEach((id, i) => {
      const n = nodes.get(id)!;
      x += i === 0 ? n.width / 2 : gapBetween(nodes.get(layer[i - 1]!)!, n);
      n.x = x;
    });
  }
  const place = (layer: string[], desired: number[]) => {
    const ns = layer.map((id) => nodes.get(id)!);
    const offsets: number[] = [0];
    for (let i = 1; i < ns.length; i++) offsets.push(offsets[i - 1]! + gapBetween(ns[i - 1]!, ns[i]!));
    const xs = isotonic(
      desired.map((d, i) => d - offsets[i]!),
      ns.map((n) => (n.state ? 1 : WAYPOINT_WEIGHT)),
    );
    ns.forEach((n, i) => {
      n.x = xs[i]! + offsets[i]!;
    });
  };
  const mean = (ids: string[]) => ids.reduce((s, id) => s + nodes.get(id)!.x, 0) / ids.length;
  for (let sweep = 0; sweep < PLACE_SWEEPS; sweep++) {
    const downwards = sweep % 2 === 0;
    const both = sweep >= PLACE_SWEEPS / 2;
    const order = downwards ? [...layers.keys()] : [...layers.keys()].reverse();
    for (const l of order) {
      const layer = layers[l]!;
      const desired = layer.map((id) => {
        const ns = both ? [...up.get(id)!, ...down.get(id)!] : (downwards ? up : down).get(id)!;
        return ns.length > 0 ? mean(ns) : nodes.get(id)!.x;
      });
      place(layer, desired);
    }
  }

  // Straighten long edges: move all of an edge's waypoints to one x where nothing would overlap.
  const chains = [...waypoints.values()].filter((ids) => ids.length > 1).sort((a, b) => b.length - a.length);
  for (const ids of chains) {
    const xs = ids.map((id) => nodes.get(id)!.x).sort((a, b) => a - b);
    const candidates = [xs[Math.floor(xs.length / 2)]!, xs[0]!, xs[xs.length - 1]!];
    const fits = (x: number) =>
      ids.every((id) => {
        const n = nodes.get(id)!;
        const layer = layers[n.layer]!;
        const i = position.get(id)!;
        const left = i > 0 ? nodes.get(layer[i - 1]!)! : undefined;
        const right = i + 1 < layer.length ? nodes.get(layer[i + 1]!)! : undefined;
        return (
          (!left || x >= left.x + gapBetween(left, n)) && (!right || x <= right.x - gapBetween(n, right))
        );
      });
    const x = candidates.find(fits);
    if (x !== undefined) for (const id of ids) nodes.get(id)!.x = x;
  }

  // Normalise to the left margin; the handler column goes right of everything else.
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  for (const layer of layers)
    for (const id of layer) {
      const n = nodes.get(id)!;
      minX = Math.min(minX, n.x - n.width / 2);
      maxX = Math.max(maxX, n.x + n.width / 2);
    }
  if (!Number.isFinite(minX)) {
    minX = 0;
    maxX = 0;
  }
  const shift = MARGIN - minX;
  for (const n of nodes.values()) n.x = Math.round(n.x + shift);
  let right = maxX + shift;
  const groupByLayer = new Map<number, LayoutNode[]>();
  for (const name of discovery) {
    if (!handlerGroup.has(name)) continue;
    const n = nodes.get(name)!;
    if (!groupByLayer.has(n.layer)) groupByLayer.set(n.layer, []);
    groupByLayer.get(n.layer)!.push(n);
  }
  const columnWidth = Math.max(0, ...[...handlerGroup].map((n) => nodes.get(n)!.width));
  for (const group of groupByLayer.values()) {
    let x = right + BUS_GAP;
    for (const n of group) {
      n.x = Math.round(x + columnWidth / 2);
      x += columnWidth + GAP_REAL;
    }
  }
  for (const group of groupByLayer.values())
    for (const n of group) right = Math.max(right, n.x + n.width / 2);

  return {
    states,
    edges,
    nodes,
    layers,
    waypoints,
    handlerGroup,
    width: Math.ceil(right + MARGIN),
    height: TOP + layerCount * PITCH - LAYER_GAP + MARGIN + 4,
  };
}

/** Weighted least-squares non-decreasing fit (pool adjacent violators). */
function isotonic(values: number[], weights: number[]): number[] {
  const blocks: { sum: number; weight: number; count: number }[] = [];
  values.forEach((v, i) => {
    const w = weights[i]!;
    blocks.push({ sum: v * w, weight: w, count: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const prev = blocks[blocks.length - 2]!;
      if (prev.sum / prev.weight <= last.sum / last.weight) break;
      prev.sum += last.sum;
      prev.weight += last.weight;
      prev.count += last.count;
      blocks.pop();
    }
  });
  return blocks.flatMap((b) => Array.from({ length: b.count }, () => b.sum / b.weight));
}

const layerTop = (layer: number) => TOP + layer * PITCH;

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
  const node = (name: string) => l.nodes.get(name)!;
  const title = options.title ?? 'State machine diagram';
  const pathText = taken.states.filter((s) => Object.hasOwn(l.states, s)).join(' → ');
  const desc =
    `${Object.keys(l.states).length} states, starting at ${definition.StartAt}. ` +
    (pathText ? `Path taken (highlighted): ${pathText}.` : 'No state has been entered yet.') +
    (current ? ` Current state: ${current}.` : '');

  // Ports: spread a node's edges along its bottom (outgoing) and top (incoming) sides.
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

  const edgeSvg: { taken: boolean; svg: string }[] = [];
  l.edges.forEach((e, i) => {
    const a = node(e.from);
    const b = node(e.to);
    const isTaken = takenEdges.has(`${e.from}\u0000${e.to}`);
    let d: string;
    if (e.from === e.to) {
      const x = a.x + a.width / 2;
      const y = layerTop(a.layer);
      d = `M${fmt(x)},${fmt(y + 12)} C${fmt(x + 34)},${fmt(y)} ${fmt(x + 34)},${fmt(y + NODE_H)} ${fmt(x)},${fmt(y + NODE_H - 12)}`;
    } else if (e.bus) {
      const sx = a.x + a.width / 2 - 8;
      const gapY = layerTop(a.layer) + NODE_H + 10;
      d = `M${fmt(sx)},${fmt(layerTop(a.layer) + NODE_H)} L${fmt(sx)},${fmt(gapY)} L${fmt(b.x)},${fmt(gapY)} L${fmt(b.x)},${fmt(layerTop(b.layer))}`;
      if (b.layer <= a.layer)
        d = `M${fmt(a.x)},${fmt(layerTop(a.layer) + NODE_H)} L${fmt(b.x)},${fmt(layerTop(b.layer))}`;
    } else if (l.waypoints.has(i)) {
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
      d = smoothPath(pts);
    } else {
      d = smoothPath([
        [a.x, layerTop(a.layer) + NODE_H],
        [b.x, layerTop(b.layer)],
      ]);
    }
    const classes = ['sm-edge', e.kind, e.back ? 'back' : '', e.bus ? 'bus' : '', isTaken ? 'taken' : '']
      .filter(Boolean)
      .join(' ');
    const marker = isTaken ? `${prefix}-arrow-taken` : `${prefix}-arrow`;
    const label = `${e.from} → ${e.to}${e.kind === 'catch' ? ' (on error)' : ''}${e.back ? ' (loop)' : ''}${isTaken ? ' — taken' : ''}`;
    edgeSvg.push({
      taken: isTaken,
      svg: `<path class="${classes}" data-from="${escapeHtml(e.from)}" data-to="${escapeHtml(e.to)}" d="${d}" marker-end="url(#${marker})"><title>${escapeHtml(label)}</title></path>`,
    });
  });

  const stateSvg: string[] = [];
  for (const name of Object.keys(l.states)) {
    const s = l.states[name]!;
    const n = node(name);
    const x = n.x - n.width / 2;
    const y = layerTop(n.layer);
    const sop = sopLabel(s.Comment);
    const isCurrent = current === name;
    const isTaken = takenStates.has(name);
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
    const times = visits.get(name) ?? 0;
    const tooltip = [
      `${name} (${[kindLabel(s), sop].filter(Boolean).join(', ')})`,
      s.Comment,
      isTaken
        ? `Taken: step ${firstStep.get(name)}${times > 1 ? `, entered ${times} times` : ''}.`
        : 'Not taken.',
      isCurrent ? 'Current state.' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const badge = isTaken
      ? `<g class="sm-badge" aria-hidden="true"><circle cx="${fmt(x + 2)}" cy="${fmt(y + 2)}" r="10"/><text x="${fmt(x + 2)}" y="${fmt(y + 5.5)}" text-anchor="middle">${firstStep.get(name)}</text></g>`
      : '';
    stateSvg.push(
      `<g class="${classes}" data-state="${escapeHtml(name)}"${isTaken ? ' data-taken="true"' : ''}${isCurrent ? ' data-current="true"' : ''}>` +
        `<title>${escapeHtml(tooltip)}</title>${shape}` +
        `<text class="sm-name" x="${fmt(n.x)}" y="${fmt(y + 19)}" text-anchor="middle">${escapeHtml(name)}</text>` +
        `<text class="sm-sub" x="${fmt(n.x)}" y="${fmt(y + 35)}" text-anchor="middle">${escapeHtml(sub)}</text>` +
        `${badge}</g>`,
    );
  }

  const start = l.nodes.get(definition.StartAt);
  const startSvg = start
    ? `<g class="sm-start-marker"><circle class="sm-start" cx="${fmt(start.x)}" cy="14" r="7"/><text class="sm-label" x="${fmt(start.x + 12)}" y="18">Start</text>` +
      `<path class="sm-edge${takenStates.has(definition.StartAt) ? ' taken' : ''}" d="M${fmt(start.x)},21 L${fmt(start.x)},${TOP}" marker-end="url(#${prefix}-arrow${takenStates.has(definition.StartAt) ? '-taken' : ''})"/></g>`
    : '';
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
    `<g class="sm-edges">${edgeSvg
      .filter((e) => !e.taken)
      .map((e) => e.svg)
      .join('')}</g>` +
    `<g class="sm-edges-taken">${edgeSvg
      .filter((e) => e.taken)
      .map((e) => e.svg)
      .join('')}</g>` +
    startSvg +
    `<g class="sm-states">${stateSvg.join('')}</g>` +
    '</svg>'
  );
}

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
