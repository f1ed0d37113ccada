/**
 * SOP 4 (and SOP 17's annual renewal): email the vendor contact the district's student Data Privacy
 * Agreement request: the DPA template link, how to return it, the resource, the student data the
 * request says is shared, and the Cybersecurity team as the reply-to. Records security.dpa.sentTo/sentAt
 * on the request and a DPA_SENT audit event.
 *
 * Env: TABLE_NAME, MAIL_FROM, TEAM_EMAILS, DPA_TEMPLATE_URL, DPA_RETURN_INSTRUCTIONS.
 * IAM: dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:PutItem on the table; ses:SendEmail (MAIL_FROM identity).
 */
import { dynamoDb } from '#shared/aws/clients.ts';
import { readMailFrom, readTableName, readTeamEmails } from '#shared/config.ts';
import type { SendDpaInput, SendDpaOutput } from '#shared/domain/workflow.ts';
import { requireEnv, urlEnv } from '#shared/env.ts';
import { ConfigError, ValidationError } from '#shared/errors.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { logger } from '#shared/logger.ts';
import type { Mailer } from '#shared/mail/mailer.ts';
import { SesMailer } from '#shared/mail/ses-mailer.ts';
import { renderDpaRequestEmail, vendorEmailInputErrors } from '#shared/mail/vendor-emails.ts';
import { once } from '#shared/once.ts';
import { WorkflowStore } from '#shared/store/store.ts';

type Env = Record<string, string | undefined>;

export const DPA_SOP_STEP = 4;
export const RENEWAL_SOP_STEP = 17;

export interface SendDpaConfig {
  tableName: string;
  mailFrom: string;
  cybersecurityEmail: string;
  dpaTemplateUrl: string;
  returnInstructions: string;
}

export interface SendDpaDeps {
  store: Pick<WorkflowStore, 'requireRequest' | 'updateRequest' | 'setRequestSecurity' | 'appendAudit'>;
  mailer: Mailer;
  now: () => Date;
  config: Pick<SendDpaConfig, 'cybersecurityEmail' | 'dpaTemplateUrl' | 'returnInstructions'>;
}

export function readSendDpaConfig(env: Env = process.env): SendDpaConfig {
  const dpaTemplateUrl = urlEnv('DPA_TEMPLATE_URL', env);
  if (!/^https?:$/.test(new URL(dpaTemplateUrl).protocol)) {
    throw new ConfigError('Environment variable DPA_TEMPLATE_URL must be an http(s) URL');
  }
  return {
    tableName: readTableName(env),
    mailFrom: readMailFrom(env),
    cybersecurityEmail: readTeamEmails(env).cybersecurity,
    dpaTemplateUrl,
    returnInstructions: requireEnv('DPA_RETURN_INSTRUCTIONS', env),
  };
}

export function buildSendDpaDeps(config: SendDpaConfig): SendDpaDeps {
  return {
    store: new WorkflowStore({ tableName: config.tableName, client: dynamoDb }),
    mailer: new SesMailer({ from: config.mailFrom }),
    now: () => new Date(),
    config,
  };
}

/** Built on first use, then reused for the container's life (config is read and validated once). */
const defaultDeps = once((): SendDpaDeps => buildSendDpaDeps(readSendDpaConfig()));

export async function sendDpa(
  input: SendDpaInput,
  deps: SendDpaDeps = defaultDeps(),
): Promise<SendDpaOutput> {
  const errors = vendorEmailInputErrors(input);
  if (input && input.renewal !== undefined && typeof input.renewal !== 'boolean') {
    errors.push({ field: 'renewal', message: 'must be true or false' });
  }
  if (errors.length) throw new ValidationError(errors);

  const requestId = input.requestId.trim();
  const sentTo = input.vendorContactEmail.trim();
  const renewal = input.renewal === true;
  const request = await deps.store.requireRequest(requestId);

  const email = renderDpaRequestEmail({
    requestId,
    vendorContactEmail: sentTo,
    cybersecurityEmail: deps.config.cybersecurityEmail,
    resourceName: request.resource.name,
    vendorName: request.resource.vendorName,
    ...(request.resource.url ? { resourceUrl: request.resource.url } : {}),
    studentDataElements: request.submitted.studentDataShared
      ? (request.submitted.studentDataElements ?? [])
      : [],
    dpaTemplateUrl: deps.config.dpaTemplateUrl,
    returnInstructions: deps.config.returnInstructions,
    renewal,
  });
  await deps.mailer.send(email);
  const sentAt = deps.now().toISOString();

  await deps.store.setRequestSecurity(requestId, 'dpa', { ...request.security?.dpa, sentTo, sentAt });
  await deps.store.appendAudit({
    requestId,
    at: sentAt,
    sopStep: renewal ? RENEWAL_SOP_STEP : DPA_SOP_STEP,
    type: 'DPA_SENT',
    summary: renewal
      ? 'Annual renewal: the student Data Privacy Agreement was sent to the vendor contact'
      : 'The student Data Privacy Agreement was sent to the vendor contact',
    actor: 'Cybersecurity (CCS) workflow',
    detail: { renewal },
  });
  logger.info('DPA sent', { sopStep: renewal ? RENEWAL_SOP_STEP : DPA_SOP_STEP, renewal });
  return { sentTo, sentAt };
}

export const handler = workflowHandler<SendDpaInput, SendDpaOutput>((input) => sendDpa(input));
