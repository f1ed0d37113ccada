/**
 * Issue 24, abuse limits, as deployed: the form's POST /requests has a low throttle of its own and the
 * approvers' routes their own numbers (a bucket per method, so a flood of the form cannot spend theirs);
 * submit-request is told the district's requester domains and its hourly limits and may write only the
 * allowance counts beside what it wrote before; a WAF rate-based rule only when asked for. Synthesized
 * without bundling (the function code is not what these assertions read).
 */
import { readFileSync } from 'node:fs';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUBMISSION_LIMIT_DEFAULTS } from '#shared/requests/limits.ts';
import { APPROVER_THROTTLE, FORM_THROTTLE, ROUTE_THROTTLE_DEFAULTS } from '#shared/route-throttles.ts';
import { buildApp } from '../../cdk/app.ts';
import { ConfigurationError, parseConfig } from '../../cdk/config.ts';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};
type Json = Record<string, unknown>;
const context = (extra: Json = {}): Json => ({ ...cdkJson.context, allowPlaceholderDomains: true, ...extra });

function synth(extra: Json = {}) {
  const { app, stack } = buildApp({ context: { ...context(extra), 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(stack);
  const submitRequest = stack.functions.get('submit-request');
  if (!submitRequest) throw new Error('no submit-request');
  const submitId = stack.getLogicalId(submitRequest.function.node.defaultChild as CfnElement);
  const submitEnv = () =>
    (template.toJSON().Resources[submitId].Properties.Environment as { Variables: Json }).Variables;
  return { app, stack, template, submitEnv };
}

/** API Gateway's MethodSettings path: `/tasks/{taskId}` → `/~1tasks~1{taskId}`. */
const settingsPath = (path: string) => `/${path.replaceAll('/', '~1')}`;
/** A variant's synthesis (no bundling) takes seconds, longer on a busy machine. */
// Synthesis bundles every function with esbuild: about a minute on a quiet 2-core machine, four beside
// other heavy work (helpers bundling at once measured 234 s).
const SYNTH_TIMEOUT = 480_000;

let base: ReturnType<typeof synth>;
beforeAll(() => {
  base = synth();
}, SYNTH_TIMEOUT);

describe('per-route throttles', () => {
  it("gives the form's POST /requests its own low throttle and the approvers' routes their own", () => {
    const settings = (route: string, throttle: { rateLimit: number; burstLimit: number }) => {
      const [method, path = ''] = route.split(' ');
      return Match.objectLike({
        HttpMethod: method,
        ResourcePath: settingsPath(path),
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
      });
    };

    base.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        settings('POST /requests', FORM_THROTTLE),
        settings('GET /tasks/{taskId}', APPROVER_THROTTLE),
        settings('POST /tasks/{taskId}', APPROVER_THROTTLE),
        settings('GET /queue', APPROVER_THROTTLE),
        settings('POST /queue/{taskId}/{action}', APPROVER_THROTTLE),
      ]),
    });
    // The form's bucket is smaller than the approvers' and than the stage default.
    expect(FORM_THROTTLE.burstLimit).toBeLessThan(APPROVER_THROTTLE.burstLimit);
  });

  it('takes cdk.json routeThrottles over the defaults, and refuses a route that does not exist', () => {
    const config = parseConfig(
      context({ routeThrottles: { 'POST /requests': { rateLimit: 2, burstLimit: 3 } } }),
    );
    expect(config.routeThrottles).toEqual({
      ...ROUTE_THROTTLE_DEFAULTS,
      'POST /requests': { rateLimit: 2, burstLimit: 3 },
    });
    expect(() =>
      parseConfig(context({ routeThrottles: { 'POST /nowhere': { rateLimit: 1, burstLimit: 1 } } })),
    ).toThrow(/routeThrottles\["POST \/nowhere"\]: no such route/);
    expect(() =>
      parseConfig(context({ routeThrottles: '{"POST /requests": {"rateLimit": 0, "burstLimit": 1}}' })),
    ).toThrow(/routeThrottles\["POST \/requests"\].rateLimit must be a whole number from 1/);
  });
});

describe("submit-request knows the district's domains and its hourly limits", () => {
  it('defaults the requester domains to mailDomain and the limits to their defaults', () => {
    expect(base.submitEnv()).toMatchObject({
      REQUESTER_EMAIL_DOMAINS: String(cdkJson.context.mailDomain),
      SUBMISSION_LIMITS: JSON.stringify(SUBMISSION_LIMIT_DEFAULTS),
    });
  });

  it(
    'takes requesterEmailDomains and submissionLimits from cdk.json, validated at synth',
    () => {
      const { submitEnv } = synth({
        requesterEmailDomains: ['Staff.Example.org', 'schools.example.org'],
        submissionLimits: { perRequesterPerHour: 4, perAddressPerHour: 40 },
      });
      expect(submitEnv()).toMatchObject({
        REQUESTER_EMAIL_DOMAINS: 'staff.example.org,schools.example.org',
        SUBMISSION_LIMITS: '{"perRequesterPerHour":4,"perAddressPerHour":40}',
      });
      const refused = (extra: Json) => {
        try {
          parseConfig(context(extra));
        } catch (error) {
          if (error instanceof ConfigurationError) return error.message;
        }
        return 'accepted';
      };
      expect(refused({ requesterEmailDomains: [] })).toContain(
        'requesterEmailDomains: must name at least one domain',
      );
      expect(refused({ requesterEmailDomains: ['@example.org'] })).toContain(
        'requesterEmailDomains.0: must be domain names',
      );
      expect(refused({ submissionLimits: { perRequesterPerHour: 0, perAddressPerHour: 5 } })).toContain(
        'submissionLimits.perRequesterPerHour: must be at least 1',
      );
    },
    SYNTH_TIMEOUT,
  );

  it('lets submit-request write the allowance counts (ALLOWANCE#) and no other function', () => {
    const writers = Object.entries(base.template.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties).includes('ALLOWANCE#'))
      .map(([, p]) => JSON.stringify((p.Properties as Json).Roles));
    expect(writers).toHaveLength(1);
    const role = base.stack.getLogicalId(
      base.stack.functions.get('submit-request')?.role.node.defaultChild as CfnElement,
    );
    expect(writers[0]).toContain(role);
  });
});

describe('the WAF rate-based rule (wafRateLimitPerFiveMinutes)', () => {
  it('is off by default', () => {
    base.template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    base.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  it(
    'when set, blocks a client address over the limit in five minutes, on the API stage, with no cdk-nag finding',
    () => {
      const { app, template } = synth({ wafRateLimitPerFiveMinutes: 500 });

      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        Rules: [
          Match.objectLike({
            Action: { Block: {} },
            Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP' } },
          }),
        ],
      });
      template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
      expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    },
    SYNTH_TIMEOUT,
  );
});
