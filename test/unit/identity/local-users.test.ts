/** The local provider's seeded people, as docs/design.md "Identity" lists them. */
import { describe, expect, it } from 'vitest';
import { findSeededUser, seededUsers } from '#local/idp/users.ts';

describe('seededUsers', () => {
  it('has one member of each group and a teacher in none', () => {
    expect(seededUsers().map((user) => [user.email, user.groups])).toEqual([
      ['cybersecurity@district.example.org', ['cybersecurity']],
      ['instructional-technology@district.example.org', ['instructional-technology']],
      ['dii@district.example.org', ['dii']],
      ['aas@district.example.org', ['aas']],
      ['technology-services@district.example.org', ['technology-services']],
      ['auditor@district.example.org', ['auditors']],
      ['teacher@district.example.org', []],
    ]);
  });

  it('finds a user by address in any letter case', () => {
    expect(findSeededUser(seededUsers(), ' DII@District.Example.org ')?.sub).toBe('local-dii');
    expect(findSeededUser(seededUsers(), 'someone@district.example.org')).toBeUndefined();
  });
});
