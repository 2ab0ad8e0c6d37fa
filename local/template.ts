/**
 * Reads the synthesized CloudFormation template and resolves its intrinsics against local
 * stand-ins, so the local runtime runs what CDK produced rather than a hand-kept copy.
 */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
  Metadata?: Record<string, any>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, { Default?: unknown }>;
  Conditions?: Record<string, unknown>;
}

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

export const localArn = {
  stateMachine: (id: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`,
  execution: (machine: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine}:${name}`,
  function: (id: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`,
  secret: (id: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}`,
  table: (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
  bus: (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`,
};

export interface LocalNames {
  tableName: string;
  apiUrl: string;
  stackName?: string;
}

/** What `Ref` and `Fn::GetAtt` give for each resource here: local names, local ARNs. */
export interface ReferenceMap {
  ref: Record<string, unknown>;
  attr: Record<string, Record<string, unknown>>;
}

export function buildReferenceMap(template: CfnTemplate, names: LocalNames): ReferenceMap {
  const ref: Record<string, unknown> = {
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': names.stackName ?? 'SalesFlowLocal',
    'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${names.stackName ?? 'SalesFlowLocal'}/local`,
  };
  const attr: Record<string, Record<string, unknown>> = {};
  for (const [id, p] of Object.entries(template.Parameters ?? {})) ref[id] = p.Default;
  for (const [id, res] of Object.entries(template.Resources)) {
    const props = res.Properties ?? {};
    const named = (key: string) => (typeof props[key] === 'string' ? (props[key] as string) : id);
    switch (res.Type) {
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        ref[id] = names.tableName;
        attr[id] = { Arn: localArn.table(names.tableName), StreamArn: `${localArn.table(names.tableName)}/stream/local` };
        break;
      case 'AWS::StepFunctions::StateMachine':
        ref[id] = localArn.stateMachine(id);
        attr[id] = { Arn: localArn.stateMachine(id), Name: id };
        break;
      case 'AWS::Lambda::Function':
        ref[id] = id;
        attr[id] = { Arn: localArn.function(id) };
        break;
      case 'AWS::SecretsManager::Secret':
        ref[id] = localArn.secret(id);
        attr[id] = { Id: localArn.secret(id) };
        break;
      case 'AWS::Events::EventBus':
        ref[id] = named('Name');
        attr[id] = { Name: named('Name'), Arn: localArn.bus(named('Name')) };
        break;
      case 'AWS::ApiGatewayV2::Api':
        ref[id] = id;
        attr[id] = { ApiEndpoint: names.apiUrl, ApiId: id };
        break;
      default:
        // API Gateway ids (routes point at integrations/authorizers by Ref) are ids, not names.
        ref[id] = res.Type.startsWith('AWS::ApiGatewayV2::') ? id : named('Name');
        attr[id] = new Proxy({}, { get: (_t, a) => `arn:aws:local:${REGION}:${ACCOUNT}:${id}/${String(a)}` });
    }
  }
  return { ref, attr };
}

const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves Ref / Fn::GetAtt / Fn::Join / Fn::Sub / Fn::Select / Fn::Split / Fn::If in a value. */
export function resolveIntrinsics(value: unknown, refs: ReferenceMap, template?: CfnTemplate): unknown {
  const out = resolve(value, refs, template);
  return out === NO_VALUE ? undefined : out;
}

function lookupRef(name: string, refs: ReferenceMap): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (!(name in refs.ref)) throw new Error(`Cannot resolve Ref ${name}: no such resource or parameter in the template`);
  return refs.ref[name];
}

function lookupAttr(id: string, attribute: string, refs: ReferenceMap): unknown {
  const forResource = refs.attr[id];
  const found = forResource?.[attribute];
  if (found === undefined) throw new Error(`Cannot resolve Fn::GetAtt ${id}.${attribute} locally`);
  return found;
}

function resolve(value: unknown, refs: ReferenceMap, template?: CfnTemplate): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, refs, template)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    const r = (v: unknown) => resolve(v, refs, template);
    switch (key) {
      case 'Ref':
        return lookupRef(arg as string, refs);
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : (arg as string).split(/\.(.+)/);
        return lookupAttr(id!, attribute!, refs);
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown];
        return (r(parts) as unknown[]).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (r(list) as unknown[])[Number(r(index))];
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [string, unknown];
        return String(r(source)).split(sep);
      }
      case 'Fn::Sub':
        return substitute(arg, refs, r);
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return r(evaluateCondition(condition, refs, template) ? whenTrue : whenFalse);
      }
      case 'Fn::ImportValue':
      case 'Fn::GetAZs':
      case 'Fn::FindInMap':
        throw new Error(`${key} is not supported by the local runtime`);
    }
  }
  const result: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const resolved = resolve(v, refs, template);
    if (resolved !== NO_VALUE) result[k] = resolved;
  }
  return result;
}

function substitute(arg: unknown, refs: ReferenceMap, r: (v: unknown) => unknown): string {
  const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
  const locals = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, r(v)]));
  return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in locals) return String(locals[name]);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) return String(lookupAttr(name.slice(0, dot), name.slice(dot + 1), refs));
    return String(lookupRef(name, refs));
  });
}

function evaluateCondition(name: string, refs: ReferenceMap, template?: CfnTemplate): boolean {
  const cond = template?.Conditions?.[name];
  if (cond === undefined) throw new Error(`Unknown condition ${name}`);
  const evaluate = (c: unknown): boolean => {
    const [op, args] = Object.entries(c as Record<string, unknown[]>)[0]!;
    switch (op) {
      case 'Fn::Equals':
        return JSON.stringify(resolveIntrinsics(args[0], refs, template)) === JSON.stringify(resolveIntrinsics(args[1], refs, template));
      case 'Fn::Not':
        return !evaluate(args[0]);
      case 'Fn::And':
        return args.every(evaluate);
      case 'Fn::Or':
        return args.some(evaluate);
      case 'Condition':
        return evaluateCondition(args as unknown as string, refs, template);
      default:
        throw new Error(`Condition operator ${op} is not supported locally`);
    }
  };
  return evaluate(cond);
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}
