/**
 * SOP 5/6: the SSL verdict. Security vetting needs "an SSL server grade of A or better": the host
 * passes only when SSL Labs finished (READY), graded every endpoint, and the worst grade is A+ or A.
 * T (certificate not trusted) and M (certificate name mismatch) always fail, as does any endpoint
 * SSL Labs could not grade and any assessment that ended in ERROR (e.g. the name does not resolve).
 */
import type { SslEndpointGrade } from '../../workflow/index.ts';
import type { SslLabsHost } from './ssllabs-client.ts';

export const REQUIRED_GRADE = 'A';
export const PASSING_GRADES: readonly string[] = ['A+', 'A'];

/** Best first. T and M rank below F: they mean the certificate itself cannot be relied on. */
const GRADE_ORDER: readonly string[] = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F', 'T', 'M'];

const GRADE_NOTES: Record<string, string> = {
  T: 'certificate not trusted',
  M: 'certificate name mismatch',
};

export interface SslVerdict {
  passed: boolean;
  /** The worst grade across endpoints; only when every endpoint was graded. */
  grade?: string;
  endpoints: SslEndpointGrade[];
  /** One sentence for the requester, the registry and the vendor. */
  reason: string;
}

/** Rank of a grade, 0 = best; grades SSL Labs may add later rank worst (they cannot pass). */
export function gradeRank(grade: string): number {
  const i = GRADE_ORDER.indexOf(grade);
  return i === -1 ? GRADE_ORDER.length : i;
}

export function worstGrade(grades: readonly string[]): string | undefined {
  let worst: string | undefined;
  for (const g of grades) if (worst === undefined || gradeRank(g) > gradeRank(worst)) worst = g;
  return worst;
}

export function isPassingGrade(grade: string | undefined): boolean {
  return grade !== undefined && PASSING_GRADES.includes(grade);
}

/** "B", "T (certificate not trusted)". */
export function describeGrade(grade: string): string {
  const note = GRADE_NOTES[grade];
  return note ? `${grade} (${note})` : grade;
}

/** SSL Labs' status messages are short ("Ready", "Unable to connect to the server"); longer ones are cut. */
export const MAX_STATUS_MESSAGE = 80;

export function toEndpointGrades(host: SslLabsHost): SslEndpointGrade[] {
  return host.endpoints.map((e) => ({
    ipAddress: e.ipAddress,
    ...(e.grade ? { grade: e.grade } : {}),
    ...(e.statusMessage ? { statusMessage: e.statusMessage.slice(0, MAX_STATUS_MESSAGE) } : {}),
  }));
}

const DNS_MESSAGE = /resolve|dns|domain name|no such host/i;

/** Decides the SOP 5 verdict for one assessment of `hostname`. */
export function gradeAssessment(host: SslLabsHost, hostname: string): SslVerdict {
  const endpoints = toEndpointGrades(host);

  if (host.status === 'ERROR') {
    const message = host.statusMessage ?? 'no reason given';
    const reason = DNS_MESSAGE.test(message)
      ? `SSL Labs could not resolve ${hostname} (DNS)`
      : `SSL Labs could not test ${hostname} (${message})`;
    return { passed: false, endpoints, reason };
  }
  if (host.status !== 'READY') {
    return {
      passed: false,
      endpoints,
      reason: `The SSL Labs scan of ${hostname} has not finished (status ${host.status})`,
    };
  }
  if (endpoints.length === 0) {
    return { passed: false, endpoints, reason: `SSL Labs found no server to test for ${hostname}` };
  }

  const ungraded = endpoints.filter((e) => !e.grade);
  const grades = endpoints.flatMap((e) => (e.grade ? [e.grade] : []));
  const grade = worstGrade(grades);
  if (ungraded.length > 0 || grade === undefined) {
    const detail = ungraded.map((e) => `${e.ipAddress}: ${e.statusMessage ?? 'no grade given'}`).join('; ');
    return {
      passed: false,
      endpoints,
      reason: `SSL Labs could not grade ${ungraded.length} of ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'} of ${hostname} (${detail})`,
    };
  }

  const passed = isPassingGrade(grade);
  const mixed = new Set(grades).size > 1;
  const perEndpoint = mixed
    ? ` (worst of ${endpoints.length} endpoints: ${endpoints.map((e) => `${e.ipAddress} ${e.grade}`).join(', ')})`
    : '';
  const reason = passed
    ? `SSL Labs grade ${describeGrade(grade)} for ${hostname} meets the required ${REQUIRED_GRADE} or better${perEndpoint}`
    : `SSL Labs grade ${describeGrade(grade)} for ${hostname} is below the required ${REQUIRED_GRADE}${perEndpoint}`;
  return { passed, grade, endpoints, reason };
}
