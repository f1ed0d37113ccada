/** From the provider's verified claims to a person: subject, email, name and the known teams. */
import { describe, expect, it } from 'vitest';
import { identityFromClaims, teamsFromClaims } from '#shared/identity/claims.ts';
import { LoginRejectedError } from '#shared/identity/errors.ts';
import { IDENTITY_GROUPS, isIdentityGroup } from '#shared/identity/groups.ts';
import { TEAMS } from '#shared/workflow/task-kinds.ts';

describe('identityFromClaims', () => {
  it('reads a Cognito ID token: teams from cognito:groups, the directory name from cognito:username', () => {
    const claims = {
      sub: '7c1e-…',
      'cognito:username': 'google_1234',
      email: 'Pat.Reviewer@District.example.org',
      name: 'Pat Reviewer',
      'cognito:groups': ['dii', 'district-google-sso', 'auditors'],
    };
    expect(identityFromClaims(claims)).toEqual({
      sub: '7c1e-…',
      username: 'google_1234',
      email: 'pat.reviewer@district.example.org',
      name: 'Pat Reviewer',
      teams: ['dii', 'auditors'],
    });
  });

  it('reads the local provider: teams from groups', () => {
    const claims = { sub: 'local-aas', email: 'aas@district.example.org', name: 'AAS', groups: ['aas'] };
    expect(identityFromClaims(claims)).toMatchObject({ teams: ['aas'], username: 'local-aas' });
  });

  it('names a person from given and family names, else their address', () => {
    const base = { sub: 's', email: 'pat@district.example.org' };
    expect(identityFromClaims({ ...base, given_name: 'Pat', family_name: 'Lee' }).name).toBe('Pat Lee');
    expect(identityFromClaims(base).name).toBe('pat@district.example.org');
  });

  it.each([
    ['no subject', { email: 'pat@district.example.org' }],
    ['an empty subject', { sub: ' ', email: 'pat@district.example.org' }],
    ['no email', { sub: 's' }],
    ['an email that is not an address', { sub: 's', email: 'pat, eve@evil.example' }],
    ['claims that are not an object', 'sub=s'],
  ])('refuses claims with %s', (_case, claims) => {
    expect(() => identityFromClaims(claims)).toThrow(LoginRejectedError);
  });
});

describe('teamsFromClaims', () => {
  it('keeps the known groups once each, in the product order, from either claim', () => {
    const claims = { 'cognito:groups': ['auditors', 'cybersecurity'], groups: ['cybersecurity', 'aas'] };
    expect(teamsFromClaims(claims)).toEqual(['cybersecurity', 'aas', 'auditors']);
  });

  it('reads a single group sent as a string, and ignores what is not a group list', () => {
    expect(teamsFromClaims({ groups: 'dii' })).toEqual(['dii']);
    expect(teamsFromClaims({ groups: 42 })).toEqual([]);
    expect(teamsFromClaims({ groups: [{ name: 'dii' }, null] })).toEqual([]);
  });

  it('knows the task teams and the two oversight groups, and nothing else', () => {
    expect(IDENTITY_GROUPS).toEqual([...Object.keys(TEAMS), 'technology-services', 'auditors']);
    expect(isIdentityGroup('Cybersecurity')).toBe(false);
    expect(isIdentityGroup('admins')).toBe(false);
  });
});
