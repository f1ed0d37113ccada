/**
 * `npx cdk synth` / `deploy` entry (cdk.json "app"). Reads and validates the district's settings from
 * context, builds the stack, and registers cdk-nag's AWS Solutions checks as a CDK validation plugin:
 * an unacknowledged finding fails the synth (exit code 1) and prints the report.
 * Tests import `buildApp` to synthesize exactly what the CLI synthesizes.
 */
import { pathToFileURL } from 'node:url';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigurationError, readConfig } from './config.ts';
import { SoftwareRequestStack } from './stack.ts';

export const DEFAULT_STACK_NAME = 'SoftwareRequestWorkflow';

export function buildApp(props: AppProps = {}): { app: App; stack: SoftwareRequestStack } {
  const app = new App(props);
  const config = readConfig(app.node);
  const named: unknown = app.node.tryGetContext('stackName');
  const stackName = typeof named === 'string' ? named : DEFAULT_STACK_NAME;
  const stack = new SoftwareRequestStack(app, stackName, {
    config,
    // Environment-agnostic unless the district pins an account/region in context: synth looks nothing
    // up, so it works offline.
    env: config.account || config.region ? { account: config.account, region: config.region } : undefined,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    buildApp().app.synth();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
