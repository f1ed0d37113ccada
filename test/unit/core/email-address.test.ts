/** Email addresses inside sentences (audit summaries) are found and withheld, and nothing else is. */
import { describe, expect, it } from 'vitest';
import { ADDRESS_WITHHELD, withoutEmailAddresses } from '#shared/core/text/email-address.ts';

describe('withoutEmailAddresses', () => {
  it.each([
    [
      'The dpa request email was not sent to privacy@numeracy.example: the address bounced permanently on 2026-09-02',
      `The dpa request email was not sent to ${ADDRESS_WITHHELD}: the address bounced permanently on 2026-09-02`,
    ],
    [
      'reported by its vendor (security@abacus.example) through the incident link of the DPA email',
      `reported by its vendor (${ADDRESS_WITHHELD}) through the incident link of the DPA email`,
    ],
    [
      'Pat is out of office: the task goes to Dee (dee.o-neil+ccs@mail.district.example).',
      `Pat is out of office: the task goes to Dee (${ADDRESS_WITHHELD}).`,
    ],
    ['Two: a@x.example, b@y.example.', `Two: ${ADDRESS_WITHHELD}, ${ADDRESS_WITHHELD}.`],
  ])('%s', (text, shown) => {
    expect(withoutEmailAddresses(text)).toBe(shown);
  });

  it('leaves text without an address as it is', () => {
    const text = 'Request submitted: Math@Home (web-service, instructional) for grade 3 @ 2 schools';
    expect(withoutEmailAddresses(text)).toBe(text);
  });
});
