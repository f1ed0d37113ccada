/**
 * assign-task over a real table (dynalite), for the tests of what an assignment run again (or several
 * reviews at once) really writes: one table per test file, and SES and EventBridge Scheduler mocked on
 * their own clients (not by prototype, as test/support/task-kit.ts does, so the table's DynamoDB client
 * stays real). Before each test the mocks start again: every email is accepted, every reminder
 * schedule created.
 */
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { SesMailer } from '#shared/core/mail/ses-mailer.ts';
import type { WorkflowStore } from '#shared/store.ts';
import type { AssignTaskDeps } from '#shared/tasks/task-assign.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import requestFixture from '../events/task-request-record.json' with { type: 'json' };
import { type DynaliteTable, startDynaliteTable } from './dynalite-table.ts';
import { TEAM_EMAILS } from './team-emails.ts';

export function useAssignTaskWorld(now: Date) {
  const ses = new SESClient({ region: 'us-east-1' });
  const sesMock = mockClient(ses);
  const scheduler = new SchedulerClient({ region: 'us-east-1' });
  const schedulerMock = mockClient(scheduler);
  let started: DynaliteTable | undefined;
  let stored = 0;

  beforeAll(async () => {
    started = await startDynaliteTable(() => now);
  });
  afterAll(async () => started?.stop());
  beforeEach(() => {
    sesMock.reset();
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    schedulerMock.reset();
    schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  });

  /** The table, read inside a test or hook (it starts before the file's tests). */
  const table = {
    get store(): WorkflowStore {
      if (!started) throw new Error('the table starts before the tests: read it inside a test or hook');
      return started.store;
    },
  };

  /**
   * Stores the fixture request (test/events/task-request-record.json) with `changes`, under a new id
   * each call (`<prefix>001`, `<prefix>002`, …), and returns that id.
   */
  async function storedRequest(prefix: string, changes: Partial<RequestRecord> = {}): Promise<string> {
    stored += 1;
    const requestId = `${prefix}${String(stored).padStart(3, '0')}`;
    await table.store.createRequest({
      ...structuredClone(requestFixture),
      requestId,
      ...changes,
    } as RequestRecord);
    return requestId;
  }

  /** assign-task's deps: this table (or `store`), the mocked SES and Scheduler, no waiting between retries. */
  function deps(store: WorkflowStore = table.store): AssignTaskDeps {
    return {
      store,
      mailer: new SesMailer({ from: 'no-reply@district.example', client: ses }),
      now: () => now,
      publicBaseUrl: 'https://requests.district.example',
      teamEmails: TEAM_EMAILS,
      reminders: {
        scheduler,
        config: {
          scheduleGroupName: 'reminders',
          schedulerRoleArn: 'arn:aws:iam::123456789012:role/reminder-scheduler',
          reminderFunctionArn: 'arn:aws:lambda:us-west-2:123456789012:function:remind-task',
          deadLetterArn: 'arn:aws:sqs:us-west-2:123456789012:dlq',
        },
      },
      sleep: async () => {},
    };
  }

  return { table, sesMock, schedulerMock, storedRequest, deps };
}
