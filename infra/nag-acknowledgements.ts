/**
 * Every cdk-nag (AwsSolutions) finding we accept, each on the construct it concerns with the reason it
 * is acceptable. Kept in one file so a reviewer can audit them together; anything not here fails synth.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { WORKFLOW_REGISTRY } from '../workflows/registry.js';
import type { SalesFlowStack } from './stack.js';

const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });

export function acknowledgeFindings(stack: SalesFlowStack) {
  for (const [name, fn] of Object.entries(stack.functions)) {
    ack(fn, 'AwsSolutions-L1',
      `${name} is pinned to nodejs22.x on purpose: the runtime is chosen with the bundling target and the ` +
      'local Node version in mind, and moved deliberately, not whenever a newer runtime appears.');
    ack(fn.role, 'AwsSolutions-IAM5[Resource::*]',
      `${name} has active X-Ray tracing; xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level scoping.`);
    if (fn.tableAccess !== 'none') {
      ack(fn.role, 'AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]',
        `${name} queries the table's GSIs (leads by stage, by owner, reps by status); the wildcard covers only this table's indexes.`);
    }
  }

  for (const name of ['IngestEvent', 'CreateCustomer'] as const) {
    ack(stack.functions[name].role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"LeadFunnel"}]}]}:*]',
      `${name}: a stage change or a win stops the lead’s running LeadFunnel execution; execution names are per lead and run, so the ` +
      'grant covers executions of this one state machine only.');
  }
  for (const name of ['IngestEvent', 'NpsLink', 'CustomerFeedback', 'CreateCustomer'] as const) {
    ack(stack.functions[name].role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"CustomerRetention"}]}]}:*]',
      `${name}: a customer event that starts the next run (a renewal, a cancellation, an NPS answer, a referral that converted) stops the customer’s running ` +
      'CustomerRetention execution; names are per customer and run, so the grant covers executions of this one state machine only.');
  }

  for (const name of ['EraseLead', 'PrivacyErasure', 'EraseClosedLeads'] as const) {
    for (const machine of ['LeadFunnel', 'RepOnboarding', 'CustomerRetention']) {
      ack(stack.functions[name].role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machine}"}]}]}:*]`,
        `${name} stops the erased person’s running ${machine} execution (named per subject and run, so not known ` +
        'in advance); the grant covers executions of this one state machine only.');
    }
  }

  // Every state machine's role, from the registry: its task functions are the ones it may invoke.
  for (const workflow of WORKFLOW_REGISTRY) {
    const role = stack.workflows[workflow.name].stateMachine.role;
    ack(role, 'AwsSolutions-IAM5[Resource::*]',
      `The ${workflow.name} role needs X-Ray trace writes and CloudWatch Logs delivery management (logs:CreateLogDelivery, ` +
      'logs:DescribeResourcePolicies, …), none of which support resource-level permissions.');
    for (const task of new Set(Object.values(workflow.tasks))) {
      ack(role, `AwsSolutions-IAM5[Resource::<${task}.Arn>:*]`,
        `lambda:InvokeFunction on ${task} and its versions/aliases (<arn>:*), as the LambdaInvoke task grants it; no other function.`);
    }
  }
  for (const name of ['CreateRep', 'RecordCompletion', 'ResetModule', 'SignOffRep', 'SetRepStatus', 'OnboardingStep'] as const) {
    for (const machine of ['RepOnboarding', 'LeadFunnel']) {
      ack(stack.functions[name].role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machine}"}]}]}:*]`,
        `${name} stops the superseded run of a rep's RepOnboarding, or of a lead handed back by a rep who left or lapsed ` +
        `(executions are named per subject and run, so not known in advance); the grant covers executions of the ${machine} state machine only.`);
    }
  }

  ack(stack.node.findChild('OnboardingStepRunsPolicy'), 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<RepOnboarding.Name>:*]',
    'OnboardingStep stops the superseded run of the rep it acts for when it starts the next cycle; runs are named per rep and ' +
    'run, so not known in advance; the grant covers executions of the RepOnboarding state machine only.');

  const routes = stack.httpApi.api.node;
  const publicReason = (route: string, why: string) => `${route} is public by design: ${why}`;
  ack(routes.findChild('POST--leads'), 'AwsSolutions-APIG4',
    publicReason('POST /leads', 'browsers post the web form; the handler validates, limits size, and has a honeypot; the stage is throttled.'));
  ack(routes.findChild('GET--unsubscribe'), 'AwsSolutions-APIG4',
    publicReason('GET /unsubscribe', 'the link in every email; the signed HMAC token in the query is the authorization.'));
  ack(routes.findChild('POST--unsubscribe'), 'AwsSolutions-APIG4',
    publicReason('POST /unsubscribe', 'RFC 8058 one-click unsubscribe from mail clients; the signed HMAC token is the authorization.'));
  ack(routes.findChild('GET--nps'), 'AwsSolutions-APIG4',
    publicReason('GET /nps', 'the score links in the NPS survey email; it only shows a page, and the signed HMAC token in the query is the authorization.'));
  ack(routes.findChild('POST--nps'), 'AwsSolutions-APIG4',
    publicReason('POST /nps', 'the survey page’s form; the signed HMAC token in the form is the authorization, and one answer per survey is kept.'));
  ack(routes.findChild('GET--consent--confirm'), 'AwsSolutions-APIG4',
    publicReason('GET /consent/confirm', 'the double opt-in link in the confirmation email; it only shows a page, and the signed HMAC token is the authorization.'));
  ack(routes.findChild('POST--consent--confirm'), 'AwsSolutions-APIG4',
    publicReason('POST /consent/confirm', 'the confirmation page’s button; the signed HMAC token in the query is the authorization.'));
  ack(routes.findChild('GET--dashboard'), 'AwsSolutions-APIG4',
    publicReason('GET /dashboard', 'the dashboard page holds no data; the browser asks for the API key and reads the reports (API key routes) with it.'));
  ack(routes.findChild('GET--dashboard--{asset}'), 'AwsSolutions-APIG4',
    publicReason('GET /dashboard/{asset}', 'the dashboard page’s scripts and style sheet (Chart.js and our own), the same for everyone; no data.'));

  ack(stack.apiKeySecret, 'AwsSolutions-SMG4',
    'The API key is shared with webhook senders and admins; automatic rotation would break them silently. Rotate by hand with a planned change.');
  ack(stack.signingKeySecret, 'AwsSolutions-SMG4',
    'The HMAC key signs unsubscribe links in sent emails; rotating it would invalidate every link already delivered (RFC 8058 needs them to keep working).');
}
