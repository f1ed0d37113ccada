/**
 * Reading a V8 .cpuprofile (node --cpu-prof, or the inspector's Profiler.stop): self time per function
 * and per area (an npm package, Node's own code, or a file of this repository). A builtin without a
 * source (JSON.stringify, a native write) and Node's own code are counted in the area of the JS code
 * that called them, so `writeFileSync`'s time shows under the file that wrote.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  /** Of the busy time (idle excluded). */
  share: number;
}

export interface ProfileSummary {
  wallMs: number;
  /** Sampled time not idle: the CPU this process used. */
  busyMs: number;
  byArea: SelfTime[];
  byFunction: SelfTime[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The area of a script URL: `pkg` or `@scope/pkg` for node_modules, `node` for Node's own, else the repo file. */
export function areaOf(url: string, root: string): string {
  if (url.startsWith('node:')) return 'node';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const parts = path.slice(inModules + '/node_modules/'.length).split('/');
    const scope = parts[0] ?? '';
    return scope.startsWith('@') ? `${scope}/${parts[1] ?? ''}` : scope;
  }
  return relative(root, path) || path;
}

export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

export function summarize(profile: CpuProfile, root: string, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /**
   * The nearest frame (itself or a caller) in a script outside Node's own code: the code that caused
   * the cost (a socket write is counted where the HTTP client or server was called from).
   */
  const located = new Map<number, CallFrame | undefined>();
  const locate = (id: number): CallFrame | undefined => {
    if (located.has(id)) return located.get(id);
    const node = byId.get(id);
    let frame: CallFrame | undefined;
    if (node?.callFrame.url && !node.callFrame.url.startsWith('node:')) frame = node.callFrame;
    else {
      const up = parent.get(id);
      frame = up === undefined ? undefined : locate(up);
    }
    located.set(id, frame);
    return frame;
  };
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's time is the delta to the next sample (the last one gets none).
  for (let i = 0; i < samples.length - 1; i++) {
    const id = samples[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, deltas[i + 1] ?? 0));
  }
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    totalUs += us;
    const node = byId.get(id);
    const name = node?.callFrame.functionName ?? '';
    if (name === '(idle)') {
      idleUs += us;
      continue;
    }
    const frame = SPECIAL.has(name) ? undefined : locate(id);
    const area = frame ? areaOf(frame.url, root) : SPECIAL.has(name) ? name : 'node (event loop, no caller)';
    areas.set(area, (areas.get(area) ?? 0) + us);
    const own = node?.callFrame.url ? node.callFrame : undefined;
    const label = SPECIAL.has(name)
      ? name
      : `${name || '(anonymous)'} ${own ? `${areaOf(own.url, root)}:${own.lineNumber + 1}` : '[native]'} (${area})`;
    functions.set(label, (functions.get(label) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busyUs / 1000,
    byArea: rank(areas),
    byFunction: rank(functions),
  };
}
