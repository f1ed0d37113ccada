/**
 * Every function that sends email may read the suppression list it asks before each send (and write
 * the EMAIL_SUPPRESSED audit event): the list in shared/core/store/access.ts is exactly the
 * functions shared/functions.ts gives MAIL_FROM.
 */
import { describe, expect, it } from 'vitest';
import { MAIL_SENDERS, TABLE_ACCESS } from '#shared/core/store/access.ts';
import { FUNCTIONS } from '#shared/functions.ts';

describe('mail senders and the suppression list', () => {
  it('MAIL_SENDERS names exactly the functions that send email', () => {
    const senders = FUNCTIONS.filter((f) => f.env.includes('MAIL_FROM')).map((f) => f.name);
    expect(Object.keys(MAIL_SENDERS).sort()).toEqual(senders.sort());
  });

  it('each reads the SES send rate it counts against (SES_MAX_SEND_RATE)', () => {
    for (const f of FUNCTIONS.filter((f) => f.env.includes('MAIL_FROM'))) {
      expect(f.env, f.name).toContain('SES_MAX_SEND_RATE');
    }
  });

  it('each may read BOUNCED#, and count its sends in SESRATE#; those whose emails belong to a request may also audit on it', () => {
    for (const [name, how] of Object.entries(MAIL_SENDERS)) {
      expect(TABLE_ACCESS[name]?.read, name).toContain('bounced');
      expect(TABLE_ACCESS[name]?.write, name).toContain('sesRate');
      if (how === 'audits') expect(TABLE_ACCESS[name]?.write, name).toContain('request');
      expect(TABLE_ACCESS[name]?.write, name).not.toContain('bounced');
    }
  });
});
