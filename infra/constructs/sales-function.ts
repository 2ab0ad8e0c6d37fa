/**
 * The one way a Lambda is made here: runtime, architecture, bundling, logs, tracing, the table grant
 * and the environment in one place, so no function drifts from the others. The function resource
 * carries `SalesFlow:Entry`/`SalesFlow:Handler` metadata: the local runtime finds handler code through
 * it in the synthesized template, the same template that is deployed.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const HANDLER_EXPORT = 'handler';

/**
 * Modules swapped in every bundle (esbuild aliases; paths from the repository root, where esbuild
 * runs). Lambda always hands a function its credentials in the environment, so the SDK's default
 * credential chain (~110 KB with the STS/SSO clients it nests) gives way to the environment provider.
 * Unbundled code (tests, the local runtime) keeps the full chain.
 */
export const BUNDLE_ALIASES = {
  '@aws-sdk/credential-provider-node': './functions/shared/env-credentials.ts',
} as const;

/** esbuild settings of every function (tests/infra/bundles.test.ts builds and loads bundles with these). */
export const BUNDLING = {
  minify: true,
  sourceMap: false,
  format: OutputFormat.ESM,
  target: 'node22',
  // The SDK's ESM build is bundled (faster cold start than the runtime's copy, and pinned).
  mainFields: ['module', 'main'],
  externalModules: [],
  // Some dependencies are CommonJS and `require` Node built-ins; ESM output has no `require`.
  banner: "import { createRequire as __salesFlowCreateRequire } from 'module'; const require = __salesFlowCreateRequire(import.meta.url);",
  esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
} as const satisfies BundlingOptions;

/** BUNDLING as esbuild's own API spells it, for tests and scripts that build a bundle the way CDK does. */
export const esbuildOptions = (): BuildOptions => ({
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: BUNDLING.target,
  minify: BUNDLING.minify,
  sourcemap: BUNDLING.sourceMap,
  mainFields: [...BUNDLING.mainFields],
  external: [...BUNDLING.externalModules],
  banner: { js: BUNDLING.banner },
  // CDK runs esbuild in the project root, which the alias paths are relative to.
  absWorkingDir: REPO_ROOT,
  alias: { ...BUNDLE_ALIASES },
  logLevel: 'silent',
});

export type TableAccess = 'none' | 'read' | 'read-write';

export interface SalesFunctionProps {
  /** Handler file relative to the repository root, e.g. `functions/http/capture-lead.ts`. */
  readonly entry: string;
  readonly description: string;
  readonly table: ITable;
  /** Least privilege: readers get read, only writers get write. */
  readonly tableAccess: TableAccess;
  /** Besides TABLE_NAME, which every function gets (config parsing is shared). */
  readonly environment?: Record<string, string>;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly logRetention: RetentionDays;
  /** Lets the local runtime and tests address the function by a stable name. */
  readonly logicalId: string;
}

export class SalesFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  readonly tableAccess: TableAccess;

  constructor(scope: Construct, id: string, props: SalesFunctionProps) {
    super(scope, id);
    const entryPath = resolve(REPO_ROOT, props.entry);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      // Logs are operational, not business records; the table keeps the timeline.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      role: this.role,
      entry: entryPath,
      handler: HANDLER_EXPORT,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: resolve(REPO_ROOT, 'package-lock.json'),
      environment: {
        TABLE_NAME: props.table.tableName,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...props.environment,
      },
      bundling: { ...BUNDLING, mainFields: [...BUNDLING.mainFields], externalModules: [...BUNDLING.externalModules] },
    });

    const cfn = this.fn.node.defaultChild as CfnFunction;
    cfn.overrideLogicalId(props.logicalId);
    cfn.addMetadata('SalesFlow:Entry', props.entry);
    cfn.addMetadata('SalesFlow:Handler', HANDLER_EXPORT);

    this.tableAccess = props.tableAccess;
    if (props.tableAccess === 'read') props.table.grantReadData(this.fn);
    if (props.tableAccess === 'read-write') props.table.grantReadWriteData(this.fn);
  }
}
