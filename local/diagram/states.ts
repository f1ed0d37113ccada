/** What the diagram reads of the states of a definition: their edges and labels. */
import type { AslDefinition, AslState } from '../asl-definition.ts';

/** The fields of a state the diagram reads. */
export type DiagramState = Pick<
  AslState,
  'Type' | 'Comment' | 'Resource' | 'Next' | 'Default' | 'End' | 'Choices' | 'Catch'
>;

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

const LAMBDA_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** "SOP 4", "SOP 6/9/11", "SOP 11 to 4" from a state's Comment; undefined when it names no step. */
export function sopLabel(comment: string | undefined): string | undefined {
  const match = /^SOP\s+(\d+(?:\s*(?:\/|to|-|–)\s*\d+)*)/.exec(comment ?? '');
  return match ? `SOP ${match[1]}` : undefined;
}

export function kindLabel(state: DiagramState): string {
  if (state.Type === 'Task') return state.Resource === LAMBDA_WAIT ? 'human task' : 'task';
  return state.Type.toLowerCase();
}

export function isTerminal(state: DiagramState): boolean {
  return state.End === true || state.Type === 'Fail' || state.Type === 'Succeed';
}

export function textWidth(text: string, perChar: number): number {
  return Math.ceil(text.length * perChar);
}

/** Every edge of the definition, once per (from, to) pair, in a stable order. */
export function edgesOf(definition: AslDefinition): { from: string; to: string; kind: EdgeKind }[] {
  const states: Record<string, DiagramState> = definition.States;
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
