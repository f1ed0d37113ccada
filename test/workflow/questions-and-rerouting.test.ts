/**
 * SOP 4 "work with the vendor to answer questions as needed", SOP 3/7 re-routing between the
 * curriculum and administrative reviews, on the local engine: the `ask` and `reroute` branches leave
 * the decision Choices, so the approved path keeps its states.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_QUESTIONS_PER_REQUEST } from '#shared/workflow/task-kinds.ts';
import { createFlow, decision, requestInput, resource } from './harness.ts';

const privacyOk = () =>
  decision('acceptable', { studentDataRequired: false, vendorContactEmail: 'privacy@vendor.example' });
const ask = (question: string, recipient = 'requester', extra: Record<string, unknown> = {}) =>
  decision('ask', { question, recipient, ...extra });
const otherResource = resource({ name: 'Other Lab', kind: 'software' });
const answered = (answer: string) => decision('answered', { answer, decidedBy: 'Maria Lopez' });

let flow: ReturnType<typeof createFlow>;
afterEach(() => flow?.abort());

describe('SOP 4: a review asks a question before deciding', () => {
  it('privacy review asks the vendor: the question goes out, the answer comes back, the review starts again and approves', async () => {
    flow = createFlow();
    flow.start(requestInput());
    await flow.decide(
      'privacy-review',
      ask('Where is student data stored?', 'vendor', { vendorContactEmail: 'privacy@vendor.example' }),
    );
    const reply = await flow.decide('answer', answered('In US data centres only.'));
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED' });
    expect(reply.payload).toMatchObject({
      kind: 'answer',
      askedBy: 'privacy-review',
      question: {
        decision: 'ask',
        question: 'Where is student data stored?',
        recipient: 'vendor',
        vendorContactEmail: 'privacy@vendor.example',
      },
    });
    expect(flow.statesEntered().slice(0, 8)).toEqual([
      'IsResumed',
      'StartSecurityVetting',
      'IsCurrentVettingReused',
      'PrivacyPolicyReview',
      'IsDpaRequired',
      'CanPrivacyPolicyReviewAskQuestion',
      'CountPrivacyPolicyReviewQuestion',
      'AwaitPrivacyPolicyReviewAnswer',
    ]);
    expect(flow.statesEntered().filter((s) => s === 'PrivacyPolicyReview')).toHaveLength(2);
  });

  it.each([
    ['curriculum-review', 'CurriculumReview', {}],
    ['administrative-review', 'AdministrativeReview', { requestType: 'administrative' as const }],
  ] as const)(
    '%s asks the requester, then decides: the step runs again after the answer',
    async (kind, state, input) => {
      flow = createFlow();
      flow.start(requestInput(input));
      await flow.decide('privacy-review', privacyOk());
      await flow.decide(kind, ask('Which grade levels will use it?'));
      await flow.decide('answer', answered('Grades 3 to 5.'));
      await flow.decide(kind, decision('deny', { comment: 'Not aligned' }));
      const { output } = await flow.finish();

      expect(output).toMatchObject({ outcome: 'DENIED' });
      expect(flow.statesEntered().filter((s) => s === state)).toHaveLength(2);
    },
  );

  it('technical review asks; no answer comes before the reply deadline: the review starts again all the same', async () => {
    flow = createFlow({
      patch: (d) => {
        const state = d.States.AwaitTechnicalReviewAnswer;
        if (state) state.TimeoutSeconds = 1;
      },
    });
    flow.start(requestInput());
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', ask('Does it need admin rights to install?'));
    await flow.task('answer');
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED' });
    expect(flow.statesEntered().filter((s) => s === 'TechnicalReview')).toHaveLength(2);
  });

  it(`questions are bounded per request: one more than ${MAX_QUESTIONS_PER_REQUEST} closes the request with the reason (the form refuses it first), never an endless loop`, async () => {
    flow = createFlow();
    flow.start(requestInput());
    for (let i = 0; i < MAX_QUESTIONS_PER_REQUEST; i++) {
      await flow.decide('privacy-review', ask(`Question ${i + 1}?`));
      await flow.decide('answer', answered(`Answer ${i + 1}.`));
    }
    await flow.decide('privacy-review', ask('One too many?'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'DENIED', deniedAtStep: 4 });
    expect(flow.statesEntered()).toContain('QuestionLimitReached');
    expect(flow.callsTo('CloseRequestFunctionArn')[0]).toMatchObject({
      denial: { reason: expect.stringMatching(/more questions than a request allows/) },
    });
    expect(flow.callsTo('AssignTaskFunctionArn').filter((p) => p.kind === 'answer')).toHaveLength(
      MAX_QUESTIONS_PER_REQUEST,
    );
  });

  it('the question count is per request: questions used before a replacement are not given back', async () => {
    flow = createFlow();
    flow.start(requestInput());
    for (let i = 0; i < MAX_QUESTIONS_PER_REQUEST; i++) {
      await flow.decide('privacy-review', ask(`Question ${i + 1}?`));
      await flow.decide('answer', answered(`Answer ${i + 1}.`));
    }
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('not-sound', { comment: 'Crashes' }));
    await flow.decide('replacement', decision('replacement-found', { resource: otherResource }));
    await flow.decide('privacy-review', ask('About the replacement?'));
    await flow.finish();

    expect(flow.statesEntered()).toContain('UseReplacementResource');
    expect(flow.statesEntered()).toContain('QuestionLimitReached');
  });
});

describe('SOP 3/7: a review sends the request to the other review, once', () => {
  it('an "administrative" classroom tool: DII re-routes it to curriculum review, which approves', async () => {
    flow = createFlow();
    flow.start(requestInput({ requestType: 'administrative' }));
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('administrative-review', decision('reroute', { comment: 'Students use it in class' }));
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED' });
    const states = flow.statesEntered();
    expect(states.slice(states.indexOf('AdministrativeReview'))).toEqual(
      expect.arrayContaining([
        'IsAdministrativelyApproved',
        'CanRerouteToCurriculumReview',
        'RerouteToCurriculumReview',
        'MarkRerouted',
        'RouteApproval',
        'CurriculumReview',
      ]),
    );
  });

  it('a second re-routing closes the request with the reason (the form refuses it first), never a ping-pong between the reviews', async () => {
    flow = createFlow();
    flow.start(requestInput());
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('curriculum-review', decision('reroute', { comment: 'Office software' }));
    await flow.decide('administrative-review', decision('reroute', { comment: 'No, classroom' }));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'DENIED', deniedAtStep: 7 });
    expect(flow.statesEntered()).toContain('RerouteLimitReached');
    expect(flow.statesEntered().filter((s) => s === 'CurriculumReview')).toHaveLength(1);
  });

  it('after a re-routing, a replacement round goes to the corrected review', async () => {
    flow = createFlow();
    flow.start(requestInput());
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('curriculum-review', decision('reroute', { comment: 'Office software' }));
    await flow.decide('administrative-review', decision('approve'));
    await flow.decide('technical-review', decision('not-sound', { comment: 'Crashes' }));
    await flow.decide('replacement', decision('replacement-found', { resource: otherResource }));
    await flow.decide('privacy-review', privacyOk());
    await flow.task('administrative-review');

    expect(flow.statesEntered().filter((s) => s === 'CurriculumReview')).toHaveLength(1);
  });
});

describe('the guards say what the decision form enforces', () => {
  it('every question guard allows exactly MAX_QUESTIONS_PER_REQUEST questions', () => {
    const { definition } = createFlow();
    const bounds = Object.values(definition.States).flatMap((state) =>
      ((state as { Choices?: { Variable?: string; NumericGreaterThanEquals?: number }[] }).Choices ?? [])
        .filter((c) => c.Variable === '$.questions.asked' && c.NumericGreaterThanEquals !== undefined)
        .map((c) => c.NumericGreaterThanEquals),
    );

    expect(bounds).toHaveLength(4);
    expect(new Set(bounds)).toEqual(new Set([MAX_QUESTIONS_PER_REQUEST]));
  });
});
