/**
 * A request's complete audit record (docs/design.md "Evidence"): every event of its trail with who
 * acted, when, the decision, the comment, and a question's or answer's full text; the evidence with
 * its SHA-256 fingerprints; the SSL grades per host. One document an auditor can read or print,
 * instead of the summaries the status page shows.
 */
import { NotFoundError } from '../core/errors.ts';
import {
  documentPath,
  type EvidenceFailure,
  type EvidenceRecord,
  type EvidenceStore,
} from '../evidence/index.ts';
import type { RequestStore } from '../requests/index.ts';
import type { AuditEvent, RequestRecord } from '../workflow/index.ts';

export interface AuditActor {
  name: string;
  email: string | null;
  sub: string | null;
  /** `sso` (verified sign-in), `link` (typed on an emailed link), `vendor-link`, or `workflow`. */
  via: string;
}

export interface AuditEvidence {
  kind: EvidenceRecord['kind'];
  documentId: string;
  sha256: string;
  capturedAt: string;
  url: string;
  bytes: number;
  by: EvidenceRecord['by'];
  /** The page a policy snapshot came from. */
  source?: string;
  flags?: string[];
}

export interface AuditEntry {
  at: string;
  step: number;
  type: string;
  summary: string;
  actor: AuditActor;
  decision?: string;
  comment?: string;
  question?: string;
  answer?: string;
  evidence?: { documentId: string; sha256: string; url: string };
}

export interface AuditRecord {
  requestId: string;
  resourceName: string;
  vendorName: string;
  status: RequestRecord['status'];
  submittedAt: string;
  requester: { name: string; email: string };
  events: AuditEntry[];
  evidence: AuditEvidence[];
  evidenceFailures: Pick<EvidenceFailure, 'kind' | 'url' | 'at' | 'code' | 'message'>[];
  ssl: { host: string; passed: boolean; grade?: string; reason: string }[];
}

export interface AuditDeps {
  store: Pick<RequestStore, 'getRequest' | 'listAudit'> &
    Pick<EvidenceStore, 'listEvidence' | 'listEvidenceFailures'>;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

function actorOf(event: AuditEvent): AuditActor {
  const detail = event.detail ?? {};
  const verified = detail.actor;
  if (typeof verified === 'object' && verified !== null && 'name' in verified) {
    const a = verified as Partial<AuditActor>;
    return { name: String(a.name), email: a.email ?? null, sub: a.sub ?? null, via: String(a.via ?? 'link') };
  }
  const uploaded = detail.uploadedBy;
  if (typeof uploaded === 'object' && uploaded !== null && 'name' in uploaded) {
    const u = uploaded as Partial<AuditActor>;
    return { name: String(u.name), email: u.email ?? null, sub: null, via: String(u.via ?? 'vendor-link') };
  }
  const person = event.type === 'DECISION_RECORDED';
  return { name: event.actor, email: null, sub: null, via: person ? 'link' : 'workflow' };
}

export function auditEntry(event: AuditEvent): AuditEntry {
  const d = event.detail ?? {};
  const documentId = text(d.documentId);
  const sha256 = text(d.sha256);
  const decision = text(d.decision);
  const comment = text(d.comment);
  const question = text(d.question);
  const answer = text(d.answer);
  return {
    at: event.at,
    step: event.sopStep,
    type: event.type,
    summary: event.summary,
    actor: actorOf(event),
    ...(decision ? { decision } : {}),
    ...(comment ? { comment } : {}),
    ...(question ? { question } : {}),
    ...(answer ? { answer } : {}),
    ...(documentId && sha256 ? { evidence: { documentId, sha256, url: documentPath(documentId) } } : {}),
  };
}

function evidenceView(e: EvidenceRecord): AuditEvidence {
  return {
    kind: e.kind,
    documentId: e.documentId,
    sha256: e.sha256,
    capturedAt: e.capturedAt,
    url: documentPath(e.documentId),
    bytes: e.bytes,
    by: e.by,
    ...(e.url ? { source: e.url } : {}),
    ...(e.flags?.length ? { flags: e.flags } : {}),
  };
}

export async function readAuditRecord(requestId: string, deps: AuditDeps): Promise<AuditRecord> {
  const request = await deps.store.getRequest(requestId);
  if (!request) throw new NotFoundError(`Request ${requestId} does not exist`);
  const [events, evidence, failures] = await Promise.all([
    deps.store.listAudit(requestId),
    deps.store.listEvidence(requestId),
    deps.store.listEvidenceFailures(requestId),
  ]);
  return {
    requestId,
    resourceName: request.resource.name,
    vendorName: request.resource.vendorName,
    status: request.status,
    submittedAt: request.createdAt,
    requester: { name: request.submitted.requesterName, email: request.submitted.requesterEmail },
    events: events.map(auditEntry),
    evidence: evidence.map(evidenceView),
    evidenceFailures: failures.map(({ kind, url, at, code, message }) => ({ kind, url, at, code, message })),
    ssl: request.security?.ssl?.hosts ?? [],
  };
}
