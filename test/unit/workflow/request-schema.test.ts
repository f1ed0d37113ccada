/** SOP step 2: what a request must include, and how problems are reported. */
import { describe, expect, it } from 'vitest';
import { parseResourceRequest, toWorkflowResource } from '#shared/workflow/request-schema.ts';
import { VALID_REQUEST } from '../../support/request-body.ts';

const valid = { ...VALID_REQUEST, requesterEmail: 'Ana.Teacher@District.example ' };

describe('SOP 2 request fields', () => {
  it('accepts a complete request, normalising the email', () => {
    const result = parseResourceRequest(valid);
    expect(result).toEqual({ ok: true, value: { ...valid, requesterEmail: 'ana.teacher@district.example' } });
  });

  it('reports every problem on the first submit, cross-field rules included', () => {
    const result = parseResourceRequest({
      ...valid,
      resourceName: ' ',
      resourceUrl: undefined,
      studentDataShared: true,
    });
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.errors).toEqual([
      { field: 'resourceName', message: 'Name of resource is required' },
      { field: 'studentDataElements', message: 'List which student data elements are shared' },
      { field: 'resourceUrl', message: 'A web service needs its website link for the SSL test' },
    ]);
  });

  it('gives one message per field, in form order', () => {
    const result = parseResourceRequest({});
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.errors.map((e) => e.field);
    expect(fields.slice(0, 4)).toEqual(['requesterName', 'requesterEmail', 'requestType', 'resourceName']);
    expect(new Set(fields).size).toBe(fields.length);
  });

  it('an empty list for a field that does not apply is the same as leaving it out', () => {
    const notShared = { ...valid, studentDataShared: false };

    const result = parseResourceRequest({ ...notShared, studentDataElements: [] });

    expect(result.ok).toBe(true);
    expect(result).toEqual(parseResourceRequest(notShared));
    expect(result.ok && 'studentDataElements' in result.value).toBe(false);
  });

  it('an empty list of shared student data elements is still asked for', () => {
    const result = parseResourceRequest({ ...valid, studentDataShared: true, studentDataElements: [] });

    expect(result.ok === false && result.errors).toEqual([
      { field: 'studentDataElements', message: 'List which student data elements are shared' },
    ]);
  });

  it('an empty list names one item in plain words', () => {
    const result = parseResourceRequest({ ...valid, gradeLevels: [], teksAddressed: [] });
    expect(result.ok === false && result.errors).toEqual([
      { field: 'gradeLevels', message: 'Give at least one grade level' },
      { field: 'teksAddressed', message: 'Give at least one TEKS student expectation' },
    ]);
  });

  it('derives the flags the state machine branches on', () => {
    const result = parseResourceRequest({ ...valid, resourceKind: 'software', cost: 49.5 });
    if (!result.ok) throw new Error('expected valid');
    expect(toWorkflowResource(result.value)).toEqual({
      name: 'Storyline Online',
      url: 'https://storylineonline.example',
      usesWebsite: true,
      kind: 'software',
      vendorName: 'SAG-AFTRA Foundation',
      cost: 49.5,
      studentDataShared: false,
    });
  });
});
