import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configPath, loadConfig } from './config.ts';
import { CollectorStack } from './stack.ts';

/**
 * `cdk synth` / `cdk deploy` entry (cdk.json: `npx tsx infra/app.ts`).
 * Config: `--context config=<path>`, else `COLLECTOR_CONFIG`, else collector.config.example.json.
 * cdk-nag (AwsSolutions) runs on every synth; an unacknowledged finding fails it.
 * `--context parquet=true` turns on the Parquet copies (CollectorStackProps.parquet).
 */
export function buildApp(app: App = new App()): { app: App; stack: CollectorStack } {
  const path = configPath(app.node.tryGetContext('config'), process.env);
  const config = loadConfig(path);
  const parquet = ['true', true].includes(app.node.tryGetContext('parquet') as string | boolean);
  const stack = new CollectorStack(app, 'Collector', {
    config,
    ...(parquet ? { parquet: true } : {}),
    stackName: config.aws.stackName,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  return { app, stack };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  try {
    buildApp().app.synth();
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`${err.name === 'ConfigError' ? 'error' : err.name}: ${err.message}\n`);
    process.exit(1);
  }
}
