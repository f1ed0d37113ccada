import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINE_DAYS } from '#shared/workflow/deadlines.ts';
import { ConfigurationError, parseConfig } from '../../cdk/config.ts';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};
const shipped = { ...cdkJson.context };
// The example district names placeholder domains: allowed for tests, refused by a real deploy.
cdkJson.context.allowPlaceholderDomains = true;

const valid = () => ({
  districtName: 'Example ISD',
  mailDomain: 'example.org',
  mailFrom: 'software-requests@example.org',
  operatorEmail: 'ops@example.org',
  teamEmails: {
    cybersecurity: 'ccs@example.org',
    'instructional-technology': 'it@example.org',
    dii: 'dii@example.org',
    aas: 'aas@example.org',
  },
  dpaTemplateUrl: 'https://example.org/dpa.pdf',
  dpaReturnInstructions: 'Sign and return to ccs@example.org',
  sslLabsEmail: 'security@example.org',
  allowPlaceholderDomains: true,
});

function errorOf(raw: Record<string, unknown>): ConfigurationError {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected parseConfig to reject the configuration');
}

describe('deployment configuration (cdk.json context)', () => {
  it('the example district in cdk.json is valid, so `npm run synth` works out of the box', () => {
    // Act
    const config = parseConfig(cdkJson.context);

    // Assess
    expect(config.mailFrom.endsWith(`@${config.mailDomain}`)).toBe(true);
    expect(Object.keys(config.teamEmails).sort()).toEqual(
      ['aas', 'cybersecurity', 'dii', 'instructional-technology'].sort(),
    );
  });

  it('fills the documented defaults for optional settings', () => {
    // Act
    const config = parseConfig(valid());

    // Assess
    expect(config).toMatchObject({
      sslLabsApiBase: 'https://api.ssllabs.com/api/v4',
      sslMaxWaitSeconds: 3600,
      renewalLeadDays: 30,
      sesMaxSendRate: 14,
      logRetentionDays: 365,
      documentRetentionYears: 7,
      apiThrottle: { rateLimit: 10, burstLimit: 20 },
    });
    expect(config.publicBaseUrl).toBeUndefined();
    expect(config.identity).toEqual({ authMode: 'sso' });
  });

  it('rejects an invalid email and names the key', () => {
    // Act
    const error = errorOf({ ...valid(), operatorEmail: 'not-an-email' });

    // Assess
    expect(error.message).toContain('operatorEmail: must be an email address');
    expect(error.message).toContain('cdk.json');
  });

  it('names the team whose address is invalid or missing', () => {
    // Act
    const error = errorOf({
      ...valid(),
      teamEmails: { ...valid().teamEmails, dii: 'dii-at-example.org', aas: undefined },
    });

    // Assess
    expect(error.message).toContain('teamEmails.dii: must be an email address');
    expect(error.message).toContain('teamEmails.aas: is required');
  });

  it('rejects a sender address outside the SES domain', () => {
    // Act
    const error = errorOf({ ...valid(), mailFrom: 'noreply@elsewhere.net' });

    // Assess
    expect(error.message).toContain('mailFrom: must be an address on mailDomain');
  });

  it('lists every missing required key at once', () => {
    // Act
    const error = errorOf({});

    // Assess
    for (const key of [
      'districtName',
      'mailDomain',
      'mailFrom',
      'operatorEmail',
      'teamEmails',
      'sslLabsEmail',
    ]) {
      expect(error.message).toContain(`${key}: is required`);
    }
  });

  it('rejects a log retention CloudWatch does not offer, a non-https URL and an incomplete federation', () => {
    // Act
    const error = errorOf({
      ...valid(),
      logRetentionDays: 100,
      dpaTemplateUrl: 'http://example.org/dpa.pdf',
      identity: {
        authMode: 'sso',
        federation: { type: 'oidc', name: 'Google', issuer: 'http://accounts.google.com' },
      },
    });

    // Assess
    expect(error.message).toContain('logRetentionDays: must be one of the retention periods');
    expect(error.message).toContain('dpaTemplateUrl: must be an absolute https:// URL');
    expect(error.message).toContain('identity.federation.issuer: must be an absolute https:// URL');
    expect(error.message).toContain('identity.federation.clientId: is required');
  });

  it.each([
    [
      1,
      'documentRetentionYears: must be at least 2 (documents move to Glacier Instant Retrieval after 1 year)',
    ],
    [7.5, 'documentRetentionYears: must be a whole number of years'],
    [101, 'documentRetentionYears: must be at most 100'],
    [[7], 'documentRetentionYears: must be a number of years'],
  ])('rejects a document retention of %j years and says why', (years, message) => {
    // Act
    const error = errorOf({ ...valid(), documentRetentionYears: years });

    // Assess
    expect(error.message).toContain(message);
  });

  it('accepts values given on the command line (-c key=value arrives as strings)', () => {
    // Act
    const config = parseConfig({
      ...valid(),
      teamEmails: JSON.stringify(valid().teamEmails),
      apiThrottle: '{"rateLimit":5,"burstLimit":8}',
      sslMaxWaitSeconds: '600',
    });

    // Assess
    expect(config.apiThrottle).toEqual({ rateLimit: 5, burstLimit: 8 });
    expect(config.sslMaxWaitSeconds).toBe(600);
    expect(config.teamEmails.cybersecurity).toBe('ccs@example.org');
  });

  it('rejects throttling that is not a positive whole number', () => {
    // Act
    const error = errorOf({ ...valid(), apiThrottle: { rateLimit: 0, burstLimit: 2.5 } });

    // Assess
    expect(error.message).toContain('apiThrottle.rateLimit: must be at least 1');
    expect(error.message).toContain('apiThrottle.burstLimit: must be a whole number');
  });

  it('rejects an SES send rate that is not a whole number of emails a second, at least 1', () => {
    // Act
    const none = errorOf({ ...valid(), sesMaxSendRate: 0 });
    const fraction = errorOf({ ...valid(), sesMaxSendRate: 0.5 });

    // Assess
    expect(none.message).toContain('sesMaxSendRate: must be at least 1');
    expect(fraction.message).toContain('sesMaxSendRate: must be a whole number');
    expect(parseConfig({ ...valid(), sesMaxSendRate: '50' }).sesMaxSendRate).toBe(50);
  });

  it('human-step deadlines are configuration: defaults from the SOP, any kind overridable in days', () => {
    // Act
    const defaults = parseConfig(valid());
    const longer = parseConfig({ ...valid(), humanStepDeadlineDays: { 'privacy-review': 20 } });
    const fromCommandLine = parseConfig({ ...valid(), humanStepDeadlineDays: '{"installation": 10}' });

    // Assess
    expect(defaults.humanStepDeadlineDays).toEqual(DEFAULT_DEADLINE_DAYS);
    expect(longer.humanStepDeadlineDays).toEqual({ ...DEFAULT_DEADLINE_DAYS, 'privacy-review': 20 });
    expect(fromCommandLine.humanStepDeadlineDays.installation).toBe(10);
    expect(parseConfig(cdkJson.context).humanStepDeadlineDays).toEqual(DEFAULT_DEADLINE_DAYS);
  });

  it('rejects a deadline that is not a whole number of days in bounds, or names no task kind', () => {
    // Act
    const error = errorOf({
      ...valid(),
      humanStepDeadlineDays: { 'privacy-review': 0, 'curriculum-review': 2.5, 'coffee-break': 3 },
    });

    // Assess
    expect(error.message).toContain('privacy-review: must be a whole number of days from 1 to 180');
    expect(error.message).toContain('curriculum-review: must be a whole number of days from 1 to 180');
    expect(error.message).toContain('coffee-break: unknown task kind');
  });

  it('rejects deadlines whose worst execution would pass the one-year Step Functions limit', () => {
    // Act: every review at 60 days, three vetting rounds, would run well over a year.
    const error = errorOf({
      ...valid(),
      humanStepDeadlineDays: Object.fromEntries(Object.keys(DEFAULT_DEADLINE_DAYS).map((k) => [k, 60])),
    });

    // Assess
    expect(error.message).toMatch(
      /humanStepDeadlineDays: with these deadlines the longest software request could run \d+\.\d days/,
    );
    expect(error.message).toContain('within 360 days');
  });

  it('refuses the shipped example district: every placeholder domain or address is named', () => {
    // Act
    const error = errorOf(shipped);

    // Assess
    for (const key of [
      'mailDomain: "example.org"',
      'mailFrom: "software-requests@example.org"',
      'operatorEmail',
      'escalationEmail',
      'teamEmails.cybersecurity',
      'teamEmails.aas',
      'dpaTemplateUrl: "www.example.org"',
      'dpaReturnInstructions: "cybersecurity@example.org"',
      'sslLabsEmail',
    ]) {
      expect(error.message).toContain(`  - ${key}`);
    }
    expect(error.message).toContain('is a placeholder domain');
    expect(error.message).toContain('-c allowPlaceholderDomains=true; never deploy with it');
  });

  it.each([
    'ops@example.com',
    'ops@mail.example.net',
    'ops@district.example',
    'ops@district.test',
    'ops@district.invalid',
    'ops@mail.localhost',
  ])('refuses %s as an address', (address) => {
    // Act
    const error = errorOf({ ...real(), operatorEmail: address });

    // Assess
    expect(error.message).toContain(`operatorEmail: "${address}" is a placeholder domain`);
  });

  it('accepts a district on its own domains, and refuses placeholder URLs and a custom domain', () => {
    // Act
    const config = parseConfig(real());
    const error = errorOf({
      ...real(),
      publicBaseUrl: 'https://requests.example.com',
      customDomain: { domainName: 'requests.district.test', certificateArn: CERTIFICATE },
      sesSandboxRecipients: ['tester@example.org'],
    });

    // Assess
    expect(config.allowPlaceholderDomains).toBe(false);
    expect(error.message).toContain('publicBaseUrl: "requests.example.com"');
    expect(error.message).toContain('customDomain.domainName: "requests.district.test"');
    expect(error.message).toContain('sesSandboxRecipients.0: "tester@example.org"');
  });

  it('reads backupCopyVaultArn and integrationEventArchiveDays, and rejects malformed ones', () => {
    // Act
    const config = parseConfig({
      ...real(),
      backupCopyVaultArn: COPY_VAULT,
      integrationEventArchiveDays: 90,
    });
    const error = errorOf({
      ...real(),
      backupCopyVaultArn: 'district-copies',
      integrationEventArchiveDays: -1,
    });

    // Assess
    expect(parseConfig(real()).integrationEventArchiveDays).toBe(365);
    expect(config).toMatchObject({ backupCopyVaultArn: COPY_VAULT, integrationEventArchiveDays: 90 });
    expect(error.message).toContain('backupCopyVaultArn: must be a backup vault ARN');
    expect(error.message).toContain('integrationEventArchiveDays: must be at least 0');
  });
});

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';
const COPY_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:district-copies';

/** A district on its own (non-placeholder) domains, without the escape. */
function real(): Record<string, unknown> {
  const at = (name: string) => `${name}@lonestar-isd.org`;
  return {
    ...valid(),
    allowPlaceholderDomains: undefined,
    mailDomain: 'lonestar-isd.org',
    mailFrom: at('software-requests'),
    operatorEmail: at('it-operations'),
    teamEmails: {
      cybersecurity: at('ccs'),
      'instructional-technology': at('it'),
      dii: at('dii'),
      aas: at('aas'),
    },
    dpaTemplateUrl: 'https://www.lonestar-isd.org/dpa.pdf',
    dpaReturnInstructions: `Sign and return to ${at('ccs')}`,
    sslLabsEmail: at('security'),
  };
}
