/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias in
 * infra/constructs/sales-function.ts). Lambda hands a function its role's credentials in the
 * environment, which is the first link of the SDK's default chain; the other links (SSO, profiles,
 * web identity, process, container and instance metadata) and the STS/SSO clients they pull in are
 * ~110 KB of every bundle that Lambda never uses. Same export name, so the SDK clients import it
 * unchanged. Unbundled code (tests, the local runtime) still resolves the full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
