/**
 * The tasks feature's shared types (types only): what a link answers, and what a decision submission
 * carries. Implementation files import these; these import nothing but other types.
 */
import type { Actor, DecisionDelivery, TaskRecord } from '../workflow/index.ts';

export type LinkProblem =
  | { state: 'not-found' }
  | { state: 'forbidden' }
  /** An earlier link of a task that a reminder email gave a new link; it can no longer decide. */
  | { state: 'replaced'; task: TaskRecord }
  | { state: 'decided'; task: TaskRecord }
  | { state: 'expired'; task: TaskRecord };

/**
 * Which link a page serves: a team's task link (/tasks/{id}) or a requester's or vendor's reply link
 * (/replies/{id}, kind `answer`). Neither opens the other's tasks: they answer "not found".
 */
export type LinkAudience = 'team' | 'reply';

export interface DecisionSubmission {
  taskId: string;
  /** The link secret, from the form's hidden `t` field. */
  secret: string | undefined;
  /** The form or JSON body. */
  values: Record<string, unknown>;
  /** The signed-in decider's name as the decision shows it (AUTH_MODE=sso). */
  verifiedIdentity?: string;
  /** The signed-in decider, verified (AUTH_MODE=sso); in link mode the typed name becomes the actor. */
  actor?: Actor;
  sourceIp?: string;
  userAgent?: string;
  /** A reply link (POST /replies/{id}) or a team's task link (the default). */
  audience?: LinkAudience;
}

/** Where a decision came from, as the audit trail keeps it. */
export type DecisionOrigin = DecisionDelivery['origin'];
