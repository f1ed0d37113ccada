/**
 * Issue 22 item 1: what counts as a change of a reviewed privacy policy. Whitespace, dates, tracking
 * parameters, quotes and case are not; a sentence added or removed is, and the difference names it.
 */
import { describe, expect, it } from 'vitest';
import {
  isMaterialChange,
  normaliseSentence,
  policyDifference,
  policySentences,
  withoutTracking,
} from '#shared/watch/policy-text.ts';

const POLICY = [
  'Privacy Policy',
  'Last updated: December 5, 2026',
  'We never sell student data. We delete student data within 30 days of a request.',
  'Read more at https://vendor.example/privacy?section=3.',
].join('\n');

describe('policy text: what is not a change', () => {
  it('whitespace, line breaks inside a paragraph and non-breaking spaces change nothing', () => {
    const after = POLICY.replaceAll(' ', '  ').replace('We never', '\u00a0We   never');
    expect(isMaterialChange(policyDifference(POLICY, after))).toBe(false);
  });

  it.each([
    ['December 6, 2026'],
    ['2026-12-06'],
    ['12/06/2026'],
    ['6th of December 2026'],
    ['Sunday, Dec. 6, 2026'],
    ['2026-12-06T09:30:00Z'],
  ])('a new "last updated" date (%s) changes nothing', (date) => {
    const after = POLICY.replace('December 5, 2026', date);
    expect(policyDifference(POLICY, after)).toEqual({ added: [], removed: [] });
  });

  it('tracking parameters on a link change nothing; other parameters do', () => {
    const tracked = POLICY.replace('?section=3', '?section=3&utm_source=mail&fbclid=abc&gclid=x');
    expect(isMaterialChange(policyDifference(POLICY, tracked))).toBe(false);
    const other = POLICY.replace('?section=3', '?section=4');
    expect(isMaterialChange(policyDifference(POLICY, other))).toBe(true);
  });

  it('typographic quotes, dashes and letter case change nothing', () => {
    const before = "We don't share data - ever.";
    expect(isMaterialChange(policyDifference(before, 'WE DON’T SHARE DATA — EVER.'))).toBe(false);
  });

  it('markup left in the text changes nothing', () => {
    expect(normaliseSentence('We <b>never</b> sell data.')).toBe(normaliseSentence('We never sell data.'));
  });

  it('a sentence that only moved is not a change', () => {
    const moved = POLICY.replace(
      'We never sell student data. We delete student data within 30 days of a request.',
      'We delete student data within 30 days of a request. We never sell student data.',
    );
    expect(isMaterialChange(policyDifference(POLICY, moved))).toBe(false);
  });
});

describe('policy text: a material change', () => {
  it('names the sentences added and removed, as the pages write them', () => {
    const after = POLICY.replace(
      'We never sell student data.',
      'We may share student data with our advertising partners.',
    ).replace('Privacy Policy', 'Privacy Policy\nWe use an AI model trained on your content.');
    expect(policyDifference(POLICY, after)).toEqual({
      added: [
        'We use an AI model trained on your content.',
        'We may share student data with our advertising partners.',
      ],
      removed: ['We never sell student data.'],
    });
  });

  it('a number in a promise is a change (30 days to 90 days)', () => {
    const after = POLICY.replace('30 days', '90 days');
    const difference = policyDifference(POLICY, after);
    expect(difference.added).toEqual(['We delete student data within 90 days of a request.']);
    expect(difference.removed).toEqual(['We delete student data within 30 days of a request.']);
  });

  it('a sentence said twice and then once is a removal', () => {
    const twice = 'We never sell data.\nWe never sell data.';
    expect(policyDifference(twice, 'We never sell data.').removed).toEqual(['We never sell data.']);
  });
});

describe('policy text: sentences and links', () => {
  it('splits lines and sentence ends, not abbreviations followed by lower case', () => {
    expect(policySentences('Intro\nFirst one. Second one! e.g. this stays. Third?')).toEqual([
      'Intro',
      'First one.',
      'Second one! e.g. this stays.',
      'Third?',
    ]);
  });

  it('drops lines that are only a date or punctuation', () => {
    expect(policySentences('Updated\n2026-12-05\n---\nText.')).toEqual(['Updated', 'Text.']);
  });

  it('withoutTracking keeps the address and its other parameters', () => {
    expect(withoutTracking('https://v.example/p?utm_medium=x&a=1#top')).toBe('https://v.example/p?a=1#top');
    expect(withoutTracking('https://v.example/p?utm_medium=x')).toBe('https://v.example/p');
    expect(withoutTracking('not a url')).toBe('not a url');
  });
});
