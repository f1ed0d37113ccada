/**
 * The architecture, executable (npm run arch; CI runs it). shared/ is a small core plus one folder
 * per thing the district does. Features are layered: each may import only the features before it in
 * FEATURES, and only through their index.ts (types included: a cycle through types is still a cycle).
 * The wiring at shared/'s top (deps.ts, store.ts, functions.ts) builds the app from the features;
 * no feature imports it.
 */
const FEATURES = [
  'workflow', // the procedure's vocabulary: task kinds, step payloads, what the table keeps
  'identity', // signed-in people: sessions, sign-in with OpenID Connect, CSRF (issue 19)
  'reports', // the process's figures, kept as events happen (issue 21)
  'registry', // the resource registry (SOP 6, 16)
  'requests', // submission, status, outcome (SOP 1-2, 6, 16)
  'bounces', // what SES reports after sending: bounces, complaints, the suppression list (issue 24)
  'renewal', // annual renewal (SOP 17)
  'tasks', // human steps: links, decisions, reminders (SOP 3-15)
  'evidence', // the documents decisions rest on: signed DPAs, policy snapshots, their upload links
  'stewardship', // approved resources looked after: data incidents, deletion when no longer approved
  'transparency', // the audit record for auditors, the public list of approved resources
  'vetting', // privacy review, DPA, SSL grade (SOP 3-6)
  'procurement', // quotes, PO, licence (SOP 13-14)
  'recovery', // what a crash interrupted
  'watch', // monitoring between renewals: policy changes, SSL spot checks (issue 22)
];

const layering = FEATURES.map((feature, i) => ({
  name: `feature-order-${feature}`,
  comment: `${feature} may import only ${FEATURES.slice(0, i).join(', ') || 'the core'} (features are layered)`,
  severity: 'error',
  from: { path: `^shared/${feature}/` },
  to: { path: `^shared/(${FEATURES.slice(i + 1).join('|') || 'NONE'})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-no-feature',
      comment: 'shared/core/ is the base every feature builds on: it imports no feature and no wiring.',
      severity: 'error',
      from: { path: '^shared/core/' },
      to: { path: '^shared/', pathNot: '^shared/core/' },
    },
    {
      name: 'feature-through-index',
      comment: "A feature imports another feature only through that feature's index.ts.",
      severity: 'error',
      from: { path: '^shared/([^/]+)/' },
      to: { path: '^shared/[^/]+/', pathNot: ['^shared/$1/', '^shared/core/', '^shared/[^/]+/index\\.ts$'] },
    },
    {
      name: 'features-import-no-wiring',
      comment:
        'deps.ts, store.ts and functions.ts assemble the features; a feature never reaches up to them.',
      severity: 'error',
      from: { path: '^shared/[^/]+/' },
      to: { path: '^shared/[^/]+\\.ts$' },
    },
    {
      name: 'shared-is-not-an-entry',
      comment: 'shared/ holds the domain: it never imports a handler, the local runtime, CDK or tests.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(lambdas|local|cdk|test|bench|scripts)/' },
    },
    {
      name: 'handlers-run-anywhere',
      comment: 'Lambda handlers run in AWS: they never import the local runtime, CDK or tests.',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: '^(local|cdk|test|bench|scripts)/' },
    },
    ...layering,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|\\.local-data|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
