import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gradeAssessment, gradeRank, isPassingGrade, worstGrade } from '#shared/vetting/ssl/grading.ts';
import { parseHost, type SslLabsHost } from '#shared/vetting/ssl/ssllabs-client.ts';

const fixture = (name: string): SslLabsHost =>
  parseHost(JSON.parse(readFileSync(`test/events/ssllabs/${name}.json`, 'utf8')), 'learn.example.com');

const readyWith = (grades: (string | undefined)[]): SslLabsHost => ({
  host: 'learn.example.com',
  status: 'READY',
  endpoints: grades.map((grade, i) => ({
    ipAddress: `203.0.113.${10 + i}`,
    statusMessage: grade ? 'Ready' : 'Unable to connect to the server',
    ...(grade ? { grade } : {}),
  })),
});

describe('SOP 5/6: an SSL server grade of A or better is required', () => {
  it('passes a website graded A+ on its only endpoint', () => {
    // Prepare
    const host = fixture('ready-a-plus');

    // Act
    const verdict = gradeAssessment(host, 'learn.example.com');

    // Assess
    expect(verdict).toEqual({
      passed: true,
      grade: 'A+',
      endpoints: [{ ipAddress: '203.0.113.10', grade: 'A+', statusMessage: 'Ready' }],
      reason: 'SSL Labs grade A+ for learn.example.com meets the required A or better',
    });
  });

  it('passes A+ and A endpoints with the worst grade, A', () => {
    const verdict = gradeAssessment(readyWith(['A+', 'A']), 'learn.example.com');

    expect(verdict.passed).toBe(true);
    expect(verdict.grade).toBe('A');
    expect(verdict.reason).toBe(
      'SSL Labs grade A for learn.example.com meets the required A or better (worst of 2 endpoints: 203.0.113.10 A+, 203.0.113.11 A)',
    );
  });

  it.each(['A-', 'B', 'C', 'D', 'E', 'F'])('fails a substandard grade %s', (grade) => {
    const verdict = gradeAssessment(readyWith([grade]), 'learn.example.com');

    expect(verdict.passed).toBe(false);
    expect(verdict.grade).toBe(grade);
    expect(verdict.reason).toBe(`SSL Labs grade ${grade} for learn.example.com is below the required A`);
  });

  it('fails when one of two endpoints is graded B, naming the worst grade and each endpoint', () => {
    const verdict = gradeAssessment(fixture('ready-mixed-a-b'), 'learn.example.com');

    expect(verdict.passed).toBe(false);
    expect(verdict.grade).toBe('B');
    expect(verdict.endpoints.map((e) => e.grade)).toEqual(['A', 'B']);
    expect(verdict.reason).toBe(
      'SSL Labs grade B for learn.example.com is below the required A (worst of 2 endpoints: 203.0.113.10 A, 203.0.113.11 B)',
    );
  });

  it('always fails grade T (certificate not trusted), even when the grade ignoring trust is A', () => {
    const verdict = gradeAssessment(fixture('ready-grade-t'), 'learn.example.com');

    expect(verdict.passed).toBe(false);
    expect(verdict.grade).toBe('T');
    expect(verdict.reason).toBe(
      'SSL Labs grade T (certificate not trusted) for learn.example.com is below the required A',
    );
  });

  it('always fails grade M (certificate name mismatch)', () => {
    const verdict = gradeAssessment(fixture('ready-grade-m'), 'learn.example.com');

    expect(verdict.passed).toBe(false);
    expect(verdict.grade).toBe('M');
    expect(verdict.reason).toBe(
      'SSL Labs grade M (certificate name mismatch) for learn.example.com is below the required A',
    );
  });

  it('reports T rather than an A on another endpoint', () => {
    const verdict = gradeAssessment(readyWith(['A', 'T']), 'learn.example.com');

    expect(verdict.grade).toBe('T');
    expect(verdict.passed).toBe(false);
  });

  it('fails when an endpoint could not be graded, with no overall grade and the endpoint named', () => {
    const verdict = gradeAssessment(fixture('ready-unable-to-connect'), 'learn.example.com');

    expect(verdict.passed).toBe(false);
    expect(verdict.grade).toBeUndefined();
    expect(verdict.endpoints).toEqual([
      { ipAddress: '203.0.113.10', grade: 'A', statusMessage: 'Ready' },
      { ipAddress: '203.0.113.9', statusMessage: 'Unable to connect to the server' },
    ]);
    expect(verdict.reason).toBe(
      'SSL Labs could not grade 1 of 2 endpoints of learn.example.com (203.0.113.9: Unable to connect to the server)',
    );
  });

  it('fails an assessment that ended in ERROR because the name does not resolve', () => {
    const verdict = gradeAssessment(fixture('error-dns'), 'no-such-host.example.com');

    expect(verdict).toEqual({
      passed: false,
      endpoints: [],
      reason: 'SSL Labs could not resolve no-such-host.example.com (DNS)',
    });
  });

  it('fails any other ERROR with the SSL Labs message', () => {
    const host: SslLabsHost = {
      host: '10.0.0.5',
      status: 'ERROR',
      statusMessage: 'IP address is from private address space (RFC 1918)',
      endpoints: [],
    };

    const verdict = gradeAssessment(host, '10.0.0.5');

    expect(verdict.passed).toBe(false);
    expect(verdict.reason).toBe(
      'SSL Labs could not test 10.0.0.5 (IP address is from private address space (RFC 1918))',
    );
  });

  it('fails a READY assessment with no endpoints at all', () => {
    const verdict = gradeAssessment(readyWith([]), 'learn.example.com');

    expect(verdict.passed).toBe(false);
    expect(verdict.reason).toBe('SSL Labs found no server to test for learn.example.com');
  });

  it('never passes an assessment that has not finished', () => {
    const verdict = gradeAssessment(fixture('in-progress'), 'learn.example.com');

    expect(verdict.passed).toBe(false);
    expect(verdict.grade).toBeUndefined();
    expect(verdict.reason).toBe(
      'The SSL Labs scan of learn.example.com has not finished (status IN_PROGRESS)',
    );
  });

  it('fails a grade it does not know (it ranks below every known grade)', () => {
    const verdict = gradeAssessment(readyWith(['A', 'Z']), 'learn.example.com');

    expect(verdict.passed).toBe(false);
    expect(verdict.grade).toBe('Z');
  });
});

describe('grade order A+ > A > A- > B > C > D > E > F, then T and M', () => {
  it('ranks grades best first', () => {
    const ranked = ['F', 'A', 'M', 'B', 'A+', 'T', 'E', 'A-', 'D', 'C'].sort(
      (a, b) => gradeRank(a) - gradeRank(b),
    );

    expect(ranked).toEqual(['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F', 'T', 'M']);
  });

  it('finds the worst grade and accepts only A+ and A', () => {
    expect(worstGrade(['A+', 'B', 'A'])).toBe('B');
    expect(worstGrade([])).toBeUndefined();
    expect(['A+', 'A', 'A-', undefined].map(isPassingGrade)).toEqual([true, true, false, false]);
  });
});
