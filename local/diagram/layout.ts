/**
 * The layout of a state machine diagram (a small Sugiyama-style layered drawing), one function a phase:
 * 1. edges are read from Next / Default / Choices[].Next / Catch[].Next; back-edges found by a depth-first
 *    walk from StartAt (the replacement loop, the SSL poll loops) are reversed for layering only;
 * 2. layers by longest path from the roots, so every forward edge points down;
 * 3. a catch-all error handler that many states share (RecordError) sits in its own column at the
 *    right, fed by one "error bus" instead of dozens of crossing lines;
 * 4. long edges get a waypoint in every layer they cross; the order inside each layer is improved
 *    with barycentre sweeps (the order with the fewest crossings wins);
 * 5. x positions: each layer is pulled towards its neighbours' positions under the no-overlap
 *    constraint (isotonic regression), alternating down and up sweeps.
 */
import type { AslDefinition } from '../asl-definition.ts';
import { type DiagramState, type EdgeKind, edgesOf, kindLabel, sopLabel, textWidth } from './states.ts';

export interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** Goes against the flow (a loop): drawn upwards. */
  back: boolean;
  /** A catch edge into the shared error handler: drawn along the error bus. */
  bus: boolean;
}

export interface LayoutNode {
  id: string;
  /** Real state name, or undefined for a waypoint of a long edge. */
  state?: string;
  layer: number;
  width: number;
  x: number;
}

export interface Layout {
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

export const NODE_H = 46;
const LAYER_GAP = 38;
const PITCH = NODE_H + LAYER_GAP;
const MARGIN = 16;
export const TOP = 44;
/** Least horizontal room between two states, beside a waypoint, and before the error bus's column. */
const GAP = { states: 26, waypoint: 12, bus: 36 } as const;
/** Barycentre sweeps that order the layers (phase 4), and that place them (phase 5). */
const SWEEPS = { order: 24, place: 12 } as const;
/** A waypoint's weight when a layer is placed (a state's is 1): long edges hold their line. */
const WAYPOINT_WEIGHT = 2;

export const layerTop = (layer: number) => TOP + layer * PITCH;

type RawEdge = { from: string; to: string; kind: EdgeKind };

/** Layouts by definition object (definitions are not changed after loading): a page view re-draws only the highlighting. */
const layouts = new WeakMap<AslDefinition, Layout>();

export function layout(definition: AslDefinition): Layout {
  const cached = layouts.get(definition);
  if (cached) return cached;
  const computed = computeLayout(definition);
  layouts.set(definition, computed);
  return computed;
}

function computeLayout(definition: AslDefinition): Layout {
  const states: Record<string, DiagramState> = definition.States;
  const names = Object.keys(states);
  const raw = edgesOf(definition);
  const out = new Map<string, RawEdge[]>();
  for (const n of names) out.set(n, []);
  for (const e of raw) out.get(e.from)!.push(e);

  const { back, discovery } = backEdges(definition, names, out);
  const { handlerGroup, isCandidateEdge } = sharedHandlers(definition, raw, out);
  const edges: Edge[] = raw.map((e) => {
    const isBack = back.has(`${e.from}\u0000${e.to}`);
    return { ...e, back: isBack, bus: !isBack && isCandidateEdge(e) && handlerGroup.has(e.to) };
  });
  const layerOf = layersOf(names, edges);
  const layerCount = Math.max(0, ...layerOf.values()) + 1;
  const graph = layeredGraph(states, discovery, edges, layerOf, layerCount, handlerGroup);
  const position = orderLayers(graph);
  placeLayers(graph);
  straighten(graph, position);
  const width = normalise(graph, discovery, handlerGroup);
  return {
    states,
    edges,
    nodes: graph.nodes,
    layers: graph.layers,
    waypoints: graph.waypoints,
    handlerGroup,
    width,
    height: TOP + layerCount * PITCH - LAYER_GAP + MARGIN + 4,
  };
}

/** Phase 1: back edges, by a depth-first walk from StartAt, then from any state it did not reach. */
function backEdges(definition: AslDefinition, names: string[], out: Map<string, RawEdge[]>) {
  const colour = new Map<string, 'grey' | 'black'>();
  const back = new Set<string>();
  const roots = [definition.StartAt, ...names].filter((n) => Object.hasOwn(definition.States, n));
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
  /** States in depth-first discovery order. */
  const discovery = [...colour.keys()];
  return { back, discovery };
}

/**
 * Phase 3: shared error handlers: targets of catch edges from three or more states, unless the normal
 * flow also leads there; with what only they lead to.
 */
function sharedHandlers(definition: AslDefinition, raw: RawEdge[], out: Map<string, RawEdge[]>) {
  const catchSources = new Map<string, Set<string>>();
  for (const e of raw) {
    if (e.kind !== 'catch') continue;
    if (!catchSources.has(e.to)) catchSources.set(e.to, new Set());
    catchSources.get(e.to)!.add(e.from);
  }
  const candidates = new Set([...catchSources].filter(([, s]) => s.size >= 3).map(([t]) => t));
  const isCandidateEdge = (e: { kind: EdgeKind; to: string }) => e.kind === 'catch' && candidates.has(e.to);
  const main = new Set<string>();
  const walk = [definition.StartAt].filter((n) => Object.hasOwn(definition.States, n));
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
  return { handlerGroup, isCandidateEdge };
}

/** Phase 2: layers, the longest path over forward edges (Kahn's order, ties by definition order). */
function layersOf(names: string[], edges: Edge[]): Map<string, number> {
  const index = new Map(names.map((n, i) => [n, i]));
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
  return layerOf;
}

/** The graph the ordering and placing phases work on. */
interface LayeredGraph {
  nodes: Map<string, LayoutNode>;
  layers: string[][];
  waypoints: Map<number, string[]>;
  /** Neighbours one layer up / down, through waypoints. */
  up: Map<string, string[]>;
  down: Map<string, string[]>;
}

/** Phase 4a: nodes in discovery order, then waypoints for edges spanning several layers. */
function layeredGraph(
  states: Record<string, DiagramState>,
  discovery: string[],
  edges: Edge[],
  layerOf: Map<string, number>,
  layerCount: number,
  handlerGroup: Set<string>,
): LayeredGraph {
  const nodes = new Map<string, LayoutNode>();
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
    const chain = [upper];
    const ids: string[] = [];
    for (let l = layerOf.get(upper)! + 1; l < layerOf.get(lower)!; l++) {
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
  return { nodes, layers, waypoints, up, down };
}

/** Phase 4b: order inside layers by barycentre sweeps, keeping the order with the fewest crossings. */
function orderLayers({ layers, up, down }: LayeredGraph): Map<string, number> {
  const position = new Map<string, number>();
  const reindex = () => {
    for (const layer of layers)
      layer.forEach((id, i) => {
        position.set(id, i);
      });
  };
  reindex();
  let best = layers.map((l) => [...l]);
  let bestCrossings = crossings(layers, down, position);
  for (let sweep = 0; sweep < SWEEPS.order && bestCrossings > 0; sweep++) {
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
    const c = crossings(layers, down, position);
    if (c < bestCrossings) {
      bestCrossings = c;
      best = layers.map((l) => [...l]);
    }
  }
  best.forEach((l, i) => {
    layers[i] = l;
  });
  reindex();
  return position;
}

function crossings(layers: string[][], down: Map<string, string[]>, position: Map<string, number>): number {
  let total = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const segs: [number, number][] = [];
    for (const a of layers[l]!) for (const b of down.get(a)!) segs.push([position.get(a)!, position.get(b)!]);
    for (let i = 0; i < segs.length; i++)
      for (let j = i + 1; j < segs.length; j++) {
        const [a1, b1] = segs[i]!;
        const [a2, b2] = segs[j]!;
        if ((a1 - a2) * (b1 - b2) < 0) total++;
      }
  }
  return total;
}

const gapBetween = (a: LayoutNode, b: LayoutNode) =>
  a.width / 2 + b.width / 2 + (a.state && b.state ? GAP.states : GAP.waypoint);

/** Phase 5: x positions, each layer pulled towards its neighbours without overlaps. */
function placeLayers({ nodes, layers, up, down }: LayeredGraph): void {
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
  for (let sweep = 0; sweep < SWEEPS.place; sweep++) {
    const downwards = sweep % 2 === 0;
    const both = sweep >= SWEEPS.place / 2;
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
}

/** Straightens long edges: all of an edge's waypoints move to one x where nothing would overlap. */
function straighten({ nodes, layers, waypoints }: LayeredGraph, position: Map<string, number>): void {
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
}

/** Normalises to the left margin and puts the handler column right of everything else; returns the width. */
function normalise({ nodes, layers }: LayeredGraph, discovery: string[], handlerGroup: Set<string>): number {
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
    let x = right + GAP.bus;
    for (const n of group) {
      n.x = Math.round(x + columnWidth / 2);
      x += columnWidth + GAP.states;
    }
  }
  for (const group of groupByLayer.values())
    for (const n of group) right = Math.max(right, n.x + n.width / 2);
  return Math.ceil(right + MARGIN);
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
