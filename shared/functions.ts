/**
 * Every Lambda of the product, in one list: the CDK stack builds one NodejsFunction per entry, the
 * local runtime loads the same entry in-process, API Gateway and the local HTTP server route the
 * same paths, and the ASL files refer to workflow functions as `${<Pascal>FunctionArn}`.
 */
import { CHECK_SSL_LAMBDA_TIMEOUT_SECONDS } from './ssl/limits.ts';

export interface FunctionSpec {
  /** File under lambdas/, without extension; exports `handler`. */
  name: string;
  /** HTTP route, for functions behind API Gateway. */
  route?: { method: 'GET' | 'POST'; path: string };
  /** ASL substitution variable, for functions the state machines invoke. */
  aslArn?: string;
  /** The SOP steps it serves (README traceability). */
  sop: string;
  /** Lambda timeout when not DEFAULT_LAMBDA_TIMEOUT_SECONDS; ASL task states must allow at least this. */
  timeoutSeconds?: number;
  /**
   * For functions that run on a schedule: an EventBridge rule invokes it at this rate on AWS; the
   * local runtime invokes it at start and then every few minutes.
   */
  everyMinutes?: number;
}

export const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 30;

export function lambdaTimeoutSeconds(spec: FunctionSpec): number {
  return spec.timeoutSeconds ?? DEFAULT_LAMBDA_TIMEOUT_SECONDS;
}

export const FUNCTIONS: readonly FunctionSpec[] = [
  { name: 'request-form', route: { method: 'GET', path: '/' }, sop: '1-2' },
  { name: 'submit-request', route: { method: 'POST', path: '/requests' }, sop: '1-2' },
  {
    name: 'get-request',
    route: { method: 'GET', path: '/requests/{requestId}' },
    sop: 'status of every step',
  },
  { name: 'task-page', route: { method: 'GET', path: '/tasks/{taskId}' }, sop: '4, 7-15 (human steps)' },
  {
    name: 'record-decision',
    route: { method: 'POST', path: '/tasks/{taskId}' },
    sop: '4, 7-15 (human steps)',
  },
  { name: 'registry', route: { method: 'GET', path: '/registry' }, sop: '6, 16' },
  { name: 'record-step', aslArn: 'RecordStepFunctionArn', sop: '3' },
  { name: 'assign-task', aslArn: 'AssignTaskFunctionArn', sop: '3-4, 7-15' },
  { name: 'remind-task', sop: '4, 7-15 (reminders)' },
  { name: 'send-dpa', aslArn: 'SendDpaFunctionArn', sop: '4, 17' },
  {
    name: 'check-ssl',
    aslArn: 'CheckSslFunctionArn',
    sop: '5, 17',
    // At least twice the SSL Labs client's worst case (shared/ssl/limits.ts).
    timeoutSeconds: CHECK_SSL_LAMBDA_TIMEOUT_SECONDS,
  },
  { name: 'notify-vendor-ssl', aslArn: 'NotifyVendorSslFunctionArn', sop: '5' },
  { name: 'publish-status', aslArn: 'PublishStatusFunctionArn', sop: '6, 16, 17' },
  { name: 'procurement-hook', aslArn: 'ProcurementHookFunctionArn', sop: '13' },
  { name: 'schedule-renewal', aslArn: 'ScheduleRenewalFunctionArn', sop: '17' },
  { name: 'plan-renewal', aslArn: 'PlanRenewalFunctionArn', sop: '17' },
  { name: 'close-request', aslArn: 'CloseRequestFunctionArn', sop: '6, 9, 11, 16' },
  { name: 'record-error', aslArn: 'RecordErrorFunctionArn', sop: 'system errors' },
  // Starts requests whose submission crashed before their workflow started (request-recovery.ts).
  // 120 s: a sweep of DEFAULT_SWEEP_LIMIT requests makes a few calls each, one after another.
  { name: 'recover-requests', sop: '2 (recovery)', everyMinutes: 15, timeoutSeconds: 120 },
];

export const STATE_MACHINES = {
  softwareRequest: {
    file: 'statemachine/software-request.asl.json',
    arnSubstitution: 'SoftwareRequestStateMachineArn',
  },
  annualRenewal: {
    file: 'statemachine/annual-renewal.asl.json',
    arnSubstitution: 'AnnualRenewalStateMachineArn',
  },
} as const;
