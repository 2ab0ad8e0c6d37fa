/**
 * The HTTP API: public routes for browsers (the web form, unsubscribe links), the rest behind a
 * Lambda authorizer that checks the API key. CORS is the API's own, so preflights never reach a Lambda.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface HttpApiHandlers {
  readonly captureLead: IFunction;
  readonly ingestEvent: IFunction;
  readonly getLead: IFunction;
  readonly listLeads: IFunction;
  readonly unsubscribe: IFunction;
  readonly confirmConsent: IFunction;
  readonly eraseLead: IFunction;
  readonly privacyErasure: IFunction;
  readonly privacyExport: IFunction;
  readonly authorizer: IFunction;
  readonly createRep: IFunction;
  readonly listReps: IFunction;
  readonly getRep: IFunction;
  readonly recordCompletion: IFunction;
  readonly resetModule: IFunction;
  readonly signOffRep: IFunction;
  readonly setRepStatus: IFunction;
  readonly getCustomer: IFunction;
  readonly npsLink: IFunction;
  readonly customerFeedback: IFunction;
  readonly createCustomer: IFunction;
  readonly listCustomers: IFunction;
  readonly dashboard: IFunction;
  readonly reportFunnel: IFunction;
  readonly reportOnboarding: IFunction;
  readonly reportRetention: IFunction;
}

export interface SalesHttpApiProps {
  readonly handlers: HttpApiHandlers;
  readonly formOrigins: string[];
  readonly throttle: { rate: number; burst: number };
  readonly logRetention: RetentionDays;
}

export class SalesHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: SalesHttpApiProps) {
    super(scope, id);
    const { handlers } = props;
    this.api = new HttpApi(this, 'Api', {
      description: 'Sales Flow: lead capture, events, lead reads, unsubscribe',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.formOrigins,
        allowMethods: [CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
        allowHeaders: ['content-type'],
        maxAge: Duration.hours(1),
      },
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    // A stage of our own: the default stage created by HttpApi takes no throttling or access logs.
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rate, burstLimit: props.throttle.burst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    const apiKey: IHttpRouteAuthorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', handlers.authorizer, {
      authorizerName: 'api-key',
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      // The authorizer caches the key for 5 minutes anyway (functions/adapters/secrets.ts), so a rotated
      // key takes up to 5 minutes either way; caching the answer per key saves a Lambda per request.
      resultsCacheTtl: Duration.minutes(5),
    });
    const route = (path: string, methods: HttpMethod[], fn: IFunction, name: string, authorizer?: IHttpRouteAuthorizer) =>
      this.api.addRoutes({ path, methods, integration: new HttpLambdaIntegration(name, fn), authorizer });

    route('/leads', [HttpMethod.POST], handlers.captureLead, 'CaptureLeadIntegration');
    route('/unsubscribe', [HttpMethod.GET, HttpMethod.POST], handlers.unsubscribe, 'UnsubscribeIntegration');
    route('/consent/confirm', [HttpMethod.GET, HttpMethod.POST], handlers.confirmConsent, 'ConfirmConsentIntegration');
    route('/nps', [HttpMethod.GET, HttpMethod.POST], handlers.npsLink, 'NpsLinkIntegration');
    route('/events', [HttpMethod.POST], handlers.ingestEvent, 'IngestEventIntegration', apiKey);
    route('/leads/{leadId}', [HttpMethod.GET], handlers.getLead, 'GetLeadIntegration', apiKey);
    route('/leads', [HttpMethod.GET], handlers.listLeads, 'ListLeadsIntegration', apiKey);
    route('/leads/{leadId}', [HttpMethod.DELETE], handlers.eraseLead, 'EraseLeadIntegration', apiKey);
    route('/privacy/erasure', [HttpMethod.POST], handlers.privacyErasure, 'PrivacyErasureIntegration', apiKey);
    route('/privacy/export', [HttpMethod.GET], handlers.privacyExport, 'PrivacyExportIntegration', apiKey);
    route('/reps', [HttpMethod.POST], handlers.createRep, 'CreateRepIntegration', apiKey);
    route('/reps', [HttpMethod.GET], handlers.listReps, 'ListRepsIntegration', apiKey);
    route('/reps/{repId}', [HttpMethod.GET], handlers.getRep, 'GetRepIntegration', apiKey);
    route('/reps/{repId}/modules/{moduleId}/completions', [HttpMethod.POST], handlers.recordCompletion, 'RecordCompletionIntegration', apiKey);
    route('/reps/{repId}/modules/{moduleId}/reset', [HttpMethod.POST], handlers.resetModule, 'ResetModuleIntegration', apiKey);
    route('/reps/{repId}/signoff', [HttpMethod.POST], handlers.signOffRep, 'SignOffRepIntegration', apiKey);
    route('/reps/{repId}/status', [HttpMethod.POST], handlers.setRepStatus, 'SetRepStatusIntegration', apiKey);
    route('/customers', [HttpMethod.GET], handlers.listCustomers, 'ListCustomersIntegration', apiKey);
    route('/customers', [HttpMethod.POST], handlers.createCustomer, 'CreateCustomerIntegration', apiKey);
    route('/customers/{customerId}', [HttpMethod.GET], handlers.getCustomer, 'GetCustomerIntegration', apiKey);
    route('/customers/{customerId}/feedback', [HttpMethod.POST], handlers.customerFeedback, 'CustomerFeedbackIntegration', apiKey);
    route('/reports/funnel', [HttpMethod.GET], handlers.reportFunnel, 'ReportFunnelIntegration', apiKey);
    route('/reports/onboarding', [HttpMethod.GET], handlers.reportOnboarding, 'ReportOnboardingIntegration', apiKey);
    route('/reports/retention', [HttpMethod.GET], handlers.reportRetention, 'ReportRetentionIntegration', apiKey);
    // Public: the page holds no data and asks for the key in the browser; the reports it reads need the key.
    route('/dashboard', [HttpMethod.GET], handlers.dashboard, 'DashboardIntegration');
    route('/dashboard/{asset}', [HttpMethod.GET], handlers.dashboard, 'DashboardAssetIntegration');
  }

  /** Base URL without a trailing slash (the $default stage serves at the root). */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
