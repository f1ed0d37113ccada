/**
 * The auditors' diagram (local/diagram.ts): every state of the procedure is drawn with its SOP step,
 * the path an execution took is highlighted exactly, loops are drawn as loops, nothing overlaps,
 * and state names are escaped.
 */
import { describe, expect, it } from 'vitest';
import { type AslDefinition, loadDefinition } from '#local/asl-definition.ts';
import { edgesOf, pathFromHistory, renderStateMachineSvg, sopLabel, type TakenPath } from '#local/diagram.ts';

const SOFTWARE_REQUEST = loadDefinition('statemachine/software-request.asl.json');
const ANNUAL_RENEWAL = loadDefinition('statemachine/annual-renewal.asl.json');
const NOTHING: TakenPath = { states: [], transitions: [] };

/** SOP 3-16 for a paid website with an SSL scan that needed a second poll, approved. */
const APPROVED_PATH = [
  'StartSecurityVetting',
  'IsCurrentVettingReused',
  'PrivacyPolicyReview',
  'IsDpaRequired',
  'IsWebsite',
  'StartSslScan',
  'IsSslScanFinished',
  'WaitForSslScan',
  'PollSslScan',
  'IsSslScanFinished',
  'RouteApproval',
  'CurriculumReview',
  'IsCurriculumApproved',
  'TechnicalReview',
  'IsTechnicallySound',
  'Installation',
  'PublishApproved',
  'ScheduleRenewal',
  'CloseApprovedRequest',
  'Approved',
];

function pathOf(states: string[], current?: string): TakenPath {
  const transitions = states.slice(1).map((s, i) => [states[i]!, s] as [string, string]);
  return current ? { states, transitions, current } : { states, transitions };
}

interface DrawnState {
  name: string;
  classes: string[];
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The state groups of a rendered SVG, with their boxes (from the rect or the choice polygon). */
function drawnStates(svg: string): DrawnState[] {
  const out: DrawnState[] = [];
  for (const m of svg.matchAll(/<g class="sm-state ([^"]*)" data-state="([^"]*)"[^>]*>(.*?)<\/g>/g)) {
    const inner = m[3]!;
    const rect = /<rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/.exec(inner);
    let box: Omit<DrawnState, 'name' | 'classes'>;
    if (rect) {
      box = { x: +rect[1]!, y: +rect[2]!, width: +rect[3]!, height: +rect[4]! };
    } else {
      const points = /<polygon points="([^"]+)"/
        .exec(inner)![1]!
        .split(' ')
        .map((p) => p.split(',').map(Number) as [number, number]);
      const xs = points.map((p) => p[0]);
      const ys = points.map((p) => p[1]);
      box = {
        x: Math.min(...xs),
        y: Math.min(...ys),
        width: Math.max(...xs) - Math.min(...xs),
        height: Math.max(...ys) - Math.min(...ys),
      };
    }
    out.push({ name: m[2]!, classes: m[1]!.split(' '), ...box });
  }
  return out;
}

function drawnEdges(svg: string): { from: string; to: string; classes: string[] }[] {
  return [...svg.matchAll(/<path class="sm-edge ([^"]*)" data-from="([^"]*)" data-to="([^"]*)"/g)].map(
    (m) => ({ from: m[2]!, to: m[3]!, classes: m[1]!.split(' ') }),
  );
}

describe('the state machine diagram', () => {
  it.each([
    ['software-request', SOFTWARE_REQUEST],
    ['annual-renewal', ANNUAL_RENEWAL],
  ])('draws every state of %s once, with its name and the SOP step from its Comment', (_, definition) => {
    const svg = renderStateMachineSvg(definition, NOTHING);

    const states = drawnStates(svg);
    expect(states.map((s) => s.name).sort()).toEqual(Object.keys(definition.States).sort());
    for (const [name, state] of Object.entries(definition.States)) {
      const group = new RegExp(`data-state="${name}"[^>]*>.*?</g>`).exec(svg)![0];
      expect(group).toContain(`>${name}</text>`);
      const sop = sopLabel(state.Comment);
      if (sop) expect(group).toMatch(new RegExp(`class="sm-sub"[^>]*>${sop} · `));
    }
  });

  it.each([
    ['software-request', SOFTWARE_REQUEST],
    ['annual-renewal', ANNUAL_RENEWAL],
  ])('draws every transition of %s as an arrow', (_, definition) => {
    const svg = renderStateMachineSvg(definition, NOTHING);

    const drawn = drawnEdges(svg).map((e) => `${e.from}>${e.to}`);
    const expected = edgesOf(definition).map((e) => `${e.from}>${e.to}`);
    expect(drawn.sort()).toEqual(expected.sort());
    expect(svg.match(/marker-end="url\(#sm-arrow\)"/g)?.length).toBeGreaterThanOrEqual(expected.length);
  });

  it('is an accessible image: role="img", a title and a description naming the path taken', () => {
    const svg = renderStateMachineSvg(
      SOFTWARE_REQUEST,
      pathOf(['StartSecurityVetting', 'PrivacyPolicyReview']),
      {
        title: 'software-request for SR-1',
      },
    );

    expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*aria-labelledby="sm-title sm-desc"/);
    expect(svg).toContain('<title id="sm-title">software-request for SR-1</title>');
    expect(svg).toContain('Path taken (highlighted): StartSecurityVetting → PrivacyPolicyReview.');
    expect(svg).toMatch(/viewBox="0 0 \d+ \d+" width="100%"/);
  });

  it('SOP 3-16 approved path: highlights exactly the states and transitions taken, numbered in order', () => {
    const svg = renderStateMachineSvg(SOFTWARE_REQUEST, pathOf(APPROVED_PATH));

    const taken = drawnStates(svg).filter((s) => s.classes.includes('taken'));
    expect(taken.map((s) => s.name).sort()).toEqual([...new Set(APPROVED_PATH)].sort());
    const takenEdges = drawnEdges(svg)
      .filter((e) => e.classes.includes('taken'))
      .map((e) => `${e.from}>${e.to}`);
    const expected = new Set(APPROVED_PATH.slice(1).map((s, i) => `${APPROVED_PATH[i]}>${s}`));
    expect(takenEdges.sort()).toEqual([...expected].sort());
    expect(svg).toContain('marker-end="url(#sm-arrow-taken)"');
    // Not by colour alone: the badge carries the order, the tooltip says "Taken".
    const routing = /data-state="RouteApproval"[^>]*>(.*?)<\/g><\/g>/.exec(svg)![1]!;
    expect(routing).toContain('Taken: step 11.');
    expect(routing).toMatch(/<text [^>]*>11<\/text>/);
    expect(svg).not.toMatch(/data-state="SendDpa" data-taken/);
  });

  it('SOP 5 poll loop: a state entered twice is highlighted once, with the loop edge drawn upwards', () => {
    const svg = renderStateMachineSvg(SOFTWARE_REQUEST, pathOf(APPROVED_PATH));

    const loop = drawnEdges(svg).find((e) => e.from === 'PollSslScan' && e.to === 'IsSslScanFinished')!;
    expect(loop.classes).toEqual(expect.arrayContaining(['back', 'taken']));
    expect(svg).toContain('Taken: step 7, entered 2 times.');
    const states = new Map(drawnStates(svg).map((s) => [s.name, s]));
    expect(states.get('PollSslScan')!.y).toBeGreaterThan(states.get('IsSslScanFinished')!.y);
  });

  it('the loops (SOP 11 back to 4, SSL polls, SOP 5 re-test, SOP 4 questions, SOP 3/7 re-routing) are back edges; every other transition points down', () => {
    const svg = renderStateMachineSvg(SOFTWARE_REQUEST, NOTHING);

    const states = new Map(drawnStates(svg).map((s) => [s.name, s]));
    const edges = drawnEdges(svg);
    const backs = edges.filter((e) => e.classes.includes('back')).map((e) => `${e.from}>${e.to}`);
    expect(backs.sort()).toEqual([
      'AwaitAdministrativeReviewAnswer>AdministrativeReview',
      'AwaitCurriculumReviewAnswer>CurriculumReview',
      'AwaitPrivacyPolicyReviewAnswer>PrivacyPolicyReview',
      'AwaitTechnicalReviewAnswer>TechnicalReview',
      'IsSslRetestRequested>StartSslScan',
      'MarkRerouted>RouteApproval',
      'PollSslScan>IsSslScanFinished',
      'RestartSecurityVetting>IsCurrentVettingReused',
      // Issue 22: a scan that waited for an SSL Labs slot starts, then joins the poll loop.
      'StartSslScanWithSlot>IsSslScanFinished',
    ]);
    for (const e of edges.filter((e) => !e.classes.includes('back'))) {
      expect(states.get(e.to)!.y, `${e.from} → ${e.to}`).toBeGreaterThan(states.get(e.from)!.y);
    }
  });

  it('annual renewal (SOP 17): the SSL poll and slot-wait loops and the remediation re-test are the only back edges', () => {
    const svg = renderStateMachineSvg(ANNUAL_RENEWAL, NOTHING);

    const backs = drawnEdges(svg).filter((e) => e.classes.includes('back'));
    expect(backs.map((e) => `${e.from}>${e.to}`).sort()).toEqual([
      'IsSslRenewalRetestRequested>StartSslRetest',
      'PollSslRetest>IsSslRetestFinished',
      'StartSslRetestWithSlot>IsSslRetestFinished',
    ]);
  });

  it.each([
    ['software-request', SOFTWARE_REQUEST],
    ['annual-renewal', ANNUAL_RENEWAL],
  ])('lays %s out without overlapping states, inside its viewBox', (_, definition) => {
    const svg = renderStateMachineSvg(definition, NOTHING);
    const [, width, height] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!.map(Number) as [number, number, number];

    const states = drawnStates(svg);
    for (const s of states) {
      expect(s.x).toBeGreaterThanOrEqual(0);
      expect(s.y).toBeGreaterThanOrEqual(0);
      expect(s.x + s.width).toBeLessThanOrEqual(width);
      expect(s.y + s.height).toBeLessThanOrEqual(height);
    }
    for (let i = 0; i < states.length; i++)
      for (let j = i + 1; j < states.length; j++) {
        const a = states[i]!;
        const b = states[j]!;
        const apart =
          a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.name} overlaps ${b.name}`).toBe(true);
      }
  });

  it('the shared error handler sits in its own column, fed by the error bus from every Task', () => {
    const svg = renderStateMachineSvg(SOFTWARE_REQUEST, NOTHING);

    const states = drawnStates(svg);
    const handler = states.find((s) => s.name === 'RecordError')!;
    for (const s of states.filter((s) => !['RecordError', 'Failed'].includes(s.name))) {
      expect(s.x + s.width, s.name).toBeLessThan(handler.x);
    }
    const bus = drawnEdges(svg).filter((e) => e.classes.includes('bus'));
    const tasks = Object.entries(SOFTWARE_REQUEST.States).filter(
      ([n, s]) => s.Type === 'Task' && n !== 'RecordError',
    );
    expect(bus.map((e) => e.from).sort()).toEqual(tasks.map(([n]) => n).sort());
    expect(new Set(bus.map((e) => e.to))).toEqual(new Set(['RecordError']));
  });

  it('an error path taken is highlighted along the bus, ending in Failed', () => {
    const svg = renderStateMachineSvg(
      SOFTWARE_REQUEST,
      pathOf(['StartSecurityVetting', 'RecordError', 'Failed']),
    );

    const taken = drawnEdges(svg).filter((e) => e.classes.includes('taken'));
    expect(taken.map((e) => `${e.from}>${e.to}`)).toEqual([
      'StartSecurityVetting>RecordError',
      'RecordError>Failed',
    ]);
    expect(taken[0]!.classes).toContain('bus');
  });

  it('marks the current state of a running execution with text, not only colour', () => {
    const svg = renderStateMachineSvg(
      SOFTWARE_REQUEST,
      pathOf(['StartSecurityVetting', 'PrivacyPolicyReview'], 'PrivacyPolicyReview'),
    );

    const current = drawnStates(svg).filter((s) => s.classes.includes('current'));
    expect(current.map((s) => s.name)).toEqual(['PrivacyPolicyReview']);
    expect(svg).toMatch(/data-state="PrivacyPolicyReview" data-taken="true" data-current="true">/);
    expect(svg).toContain('SOP 4 · human task · now</text>');
    expect(svg).toContain('Current state: PrivacyPolicyReview.');
  });

  it('ignores states and transitions the definition does not have', () => {
    const svg = renderStateMachineSvg(SOFTWARE_REQUEST, {
      states: ['StartSecurityVetting', 'NoSuchState'],
      transitions: [['StartSecurityVetting', 'NoSuchState']],
      current: 'NoSuchState',
    });

    expect(svg).not.toContain('NoSuchState');
    expect(drawnEdges(svg).filter((e) => e.classes.includes('taken'))).toEqual([]);
  });

  it('is deterministic: the same definition and path give the same bytes', () => {
    expect(renderStateMachineSvg(SOFTWARE_REQUEST, pathOf(APPROVED_PATH))).toBe(
      renderStateMachineSvg(loadDefinition('statemachine/software-request.asl.json'), pathOf(APPROVED_PATH)),
    );
  });

  it('escapes state names and comments (no markup or attribute injection)', () => {
    const hostile = '<script>alert(1)</script>';
    const quote = 'Say "hi" & <b>bye</b>';
    const definition: AslDefinition = {
      StartAt: hostile,
      States: {
        [hostile]: { Type: 'Pass', Comment: 'SOP 1: <img src=x onerror=alert(1)>', Next: quote } as never,
        [quote]: { Type: 'Succeed', Comment: `"><script>x</script>` } as never,
      },
    };

    const svg = renderStateMachineSvg(definition, pathOf([hostile, quote]), {
      title: '<i>t</i>',
      idPrefix: '"x',
    });

    expect(svg).not.toMatch(/<script|<img|<b>|<i>/);
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('data-state="Say &quot;hi&quot; &amp; &lt;b&gt;bye&lt;/b&gt;"');
    expect(svg).toContain('id="x-title"');
  });

  it('handles any cycle, including a state that loops to itself', () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'B' },
        B: { Type: 'Choice', Choices: [{ Next: 'A' }, { Next: 'C' }], Default: 'B' },
        C: { Type: 'Succeed' },
      },
    } as unknown as AslDefinition;

    const svg = renderStateMachineSvg(definition, pathOf(['A', 'B', 'B', 'A', 'B', 'C']));

    const edges = drawnEdges(svg);
    expect(edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(['A>B', 'B>A', 'B>B', 'B>C']);
    expect(edges.find((e) => e.to === 'A')!.classes).toEqual(expect.arrayContaining(['back', 'taken']));
    expect(edges.every((e) => e.classes.includes('taken'))).toBe(true);
    expect(svg).not.toContain('NaN');
  });
});

describe('SOP labels', () => {
  it.each([
    ['SOP 4: Cybersecurity evaluates the privacy policy', 'SOP 4'],
    ['SOP 6/9/11: the request is denied', 'SOP 6/9/11'],
    ['SOP 11 to 4: replacement found', 'SOP 11 to 4'],
    ['SOP 17/5: substandard SSL grade at renewal', 'SOP 17/5'],
    ['System error path: mark the request ERROR', undefined],
    [undefined, undefined],
  ])('%s → %s', (comment, label) => {
    expect(sopLabel(comment)).toBe(label);
  });
});

describe('the path taken, from an execution history', () => {
  const history = [
    { type: 'ExecutionStarted' },
    { type: 'StateEntered', stateName: 'StartSecurityVetting' },
    { type: 'StateExited', stateName: 'StartSecurityVetting' },
    { type: 'StateEntered', stateName: 'PrivacyPolicyReview' },
  ];

  it('lists the states entered in order, consecutive entries as transitions, the open one as current', () => {
    expect(pathFromHistory(history, true)).toEqual({
      states: ['StartSecurityVetting', 'PrivacyPolicyReview'],
      transitions: [['StartSecurityVetting', 'PrivacyPolicyReview']],
      current: 'PrivacyPolicyReview',
    });
  });

  it('has no current state once the execution has stopped', () => {
    expect(pathFromHistory(history, false)).not.toHaveProperty('current');
  });

  it('has no current state when the last state has exited or failed', () => {
    const failed = [...history, { type: 'StateFailed', stateName: 'PrivacyPolicyReview' }];
    expect(pathFromHistory(failed, true)).not.toHaveProperty('current');
  });
});
