/**
 * The parts of the AWS SDK the report engine runs on, in one module: the build bundles this file alone
 * (scripts/bundle-sdk.js) from the SDK's ES modules into dist/iam/aws-sdk.js, so a process that runs a report reads
 * and compiles one file holding the IAM client with the few commands below, instead of the hundreds of files of the
 * SDK's CommonJS entries (the IAM one defines every IAM command). The client, the credential chain, the endpoint and
 * region resolution are the SDK's own, unchanged. Only values go through here; types are imported from the SDK.
 *
 * From sources (tests, ts-node) this is a plain re-export.
 */
export {
  IAMClient,
  GenerateOrganizationsAccessReportCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetAccountAuthorizationDetailsCommand,
  GetGroupCommand,
  GetOrganizationsAccessReportCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  GetUserCommand,
  ListPoliciesGrantingServiceAccessCommand,
} from '@aws-sdk/client-iam';
export { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
export { ConfiguredRetryStrategy } from '@smithy/core/retry';
export { getSchemaSerdePlugin } from '@smithy/core/schema';
