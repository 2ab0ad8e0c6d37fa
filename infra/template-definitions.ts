/**
 * Reads a state machine's ASL out of a synthesized template. CDK writes DefinitionString as an
 * Fn::Join over Lambda ARNs; this renders it with stand-in ARNs that keep the function's logical id,
 * so tools (asl-validator, the diagram, the local runtime) see plain JSON and still know which task
 * calls which function.
 */
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

export const STAND_IN_ACCOUNT = '123456789012';
export const STAND_IN_REGION = 'us-east-1';

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::GetAtt'])) {
    const [logicalId] = v['Fn::GetAtt'] as string[];
    return `arn:aws:lambda:${STAND_IN_REGION}:${STAND_IN_ACCOUNT}:function:${logicalId}`;
  }
  if (typeof v.Ref === 'string') {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': STAND_IN_REGION, 'AWS::AccountId': STAND_IN_ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
    return pseudo[v.Ref] ?? v.Ref;
  }
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  throw new Error(`cannot render ${JSON.stringify(value).slice(0, 200)} in a state machine definition`);
}

/** The ASL of the state machine with this logical id (LeadFunnel by default). */
export function stateMachineDefinition(template: Template, logicalId = 'LeadFunnel'): Record<string, any> {
  const resource = template.Resources[logicalId];
  if (resource?.Type !== 'AWS::StepFunctions::StateMachine') throw new Error(`no state machine ${logicalId} in the template`);
  return JSON.parse(render(resource.Properties?.DefinitionString));
}

/** Logical id of the Lambda a lambda:invoke Task calls (from its stand-in ARN). */
export function taskFunctionLogicalId(state: { Parameters?: { FunctionName?: string } }): string | undefined {
  return state.Parameters?.FunctionName?.split(':function:')[1];
}
