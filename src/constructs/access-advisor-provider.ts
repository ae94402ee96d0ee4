import { createHash } from 'node:crypto';
import { InvalidRequestError } from '../model/errors';
import { parseDuration } from '../resolve/duration';
import { Construct, type IConstruct } from 'constructs';
import { coreOf } from './cdk-core';
import { nativeClasses, type NativeProviderElement } from './native-elements';

/** The `assume_role` block of the provider: STS AssumeRole first, then IAM with its credentials. */
export interface AccessAdvisorAssumeRole {
  readonly roleArn: string;
  readonly externalId?: string;
  readonly sessionName?: string;
}

/**
 * The `accessadvisor` provider block (this package's Terraform provider, installed with
 * `access-advisor provider install`). Every setting is optional: credentials come from the AWS SDK's default chain
 * where Terraform runs. Values may be tokens (a variable); literal values are checked here.
 */
export interface AccessAdvisorProviderProps {
  /** A second configuration of the provider, chosen by a data source's `provider`. */
  readonly alias?: string;
  /** Region of the IAM endpoint (IAM is global; default: the SDK chain, else us-east-1). */
  readonly region?: string;
  /** A named profile of the shared AWS config and credentials files. */
  readonly profile?: string;
  /** IAM (and STS) endpoint URL, http:// or https://, e.g. the local emulator. */
  readonly endpoint?: string;
  readonly assumeRole?: AccessAdvisorAssumeRole;
  /** Ceiling of the adaptive request rate to IAM, per second, shared by every data source of a run (default 50). */
  readonly maxRequestRate?: number;
  /** How long one report may take, generate to last page: `{ read: '10m' }` (default 10m; 1s to 24h). */
  readonly timeouts?: { readonly read?: string };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ALIAS = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const IMPLICIT_ID = 'accessadvisor-provider';

/**
 * `provider "accessadvisor" { … }` with `required_providers.accessadvisor.source =
 * "local.invalid/cdktf-access-advisor/accessadvisor"`. A stack that uses the provider's data sources without one
 * gets an empty default block added for it (docs/provider.md): the same as Terraform's implied empty provider.
 */
export class AccessAdvisorProvider extends Construct {
  /** The provider element (a TerraformProvider of the app's CDK core), for a data source's `provider`. */
  readonly element: NativeProviderElement;
  readonly alias?: string;

  constructor(scope: Construct, id: string, props: AccessAdvisorProviderProps = {}) {
    super(scope, id);
    if (props.alias !== undefined) this.alias = checkAlias(props.alias);
    this.element = new (nativeClasses(coreOf(this)).Provider)(this, 'provider', providerAttributes(this, props), this.alias, false);
  }

  /** `accessadvisor` or `accessadvisor.<alias>`. */
  get fqn(): string {
    return this.element.fqn;
  }
}

/** The provider arguments in Terraform's names, literal values checked (tokens are Terraform's to check at plan). */
function providerAttributes(scope: IConstruct, props: AccessAdvisorProviderProps): Record<string, unknown> {
  const { Token } = coreOf(scope);
  const literal = (value: unknown): value is string | number => value !== undefined && !Token.isUnresolved(value);
  if (literal(props.region) && !REGION.test(String(props.region))) throw new InvalidRequestError('region', props.region, 'an AWS region name such as "us-east-1"');
  if (literal(props.profile) && String(props.profile).trim() === '') throw new InvalidRequestError('profile', props.profile, 'a profile name');
  if (literal(props.endpoint) && !/^https?:\/\/[^\s/]+/.test(String(props.endpoint))) throw new InvalidRequestError('endpoint', props.endpoint, 'an http:// or https:// URL');
  if (literal(props.maxRequestRate) && !(typeof props.maxRequestRate === 'number' && props.maxRequestRate > 0 && props.maxRequestRate <= 10_000)) {
    throw new InvalidRequestError('maxRequestRate', props.maxRequestRate, 'a number of requests per second in (0, 10000]');
  }
  const read = props.timeouts?.read;
  if (literal(read)) {
    const ms = parseDuration('timeouts.read', String(read));
    if (!(ms >= 1000 && ms <= 86_400_000)) throw new InvalidRequestError('timeouts.read', read, 'a duration between 1s and 24h, e.g. "10m"');
  }
  const role = props.assumeRole;
  if (role !== undefined) {
    if (typeof role !== 'object' || role === null || role.roleArn === undefined) throw new InvalidRequestError('assumeRole.roleArn', role?.roleArn ?? null, 'an IAM role ARN');
    if (literal(role.roleArn) && !ROLE_ARN.test(String(role.roleArn))) throw new InvalidRequestError('assumeRole.roleArn', role.roleArn, 'an IAM role ARN (arn:aws:iam::123456789012:role/name)');
  }
  return {
    region: props.region,
    profile: props.profile,
    endpoint: props.endpoint,
    max_request_rate: props.maxRequestRate,
    ...(role
      ? { assume_role: [{ role_arn: role.roleArn, ...(role.externalId !== undefined ? { external_id: role.externalId } : {}), ...(role.sessionName !== undefined ? { session_name: role.sessionName } : {}) }] }
      : {}),
    ...(read !== undefined ? { timeouts: [{ read }] } : {}),
  };
}

function checkAlias(alias: string): string {
  if (typeof alias !== 'string' || !ALIAS.test(alias)) throw new InvalidRequestError('alias', alias, 'a Terraform name: a letter or _, then letters, digits, _ or -');
  return alias;
}

/**
 * The stack of `scope` gets an empty default `provider "accessadvisor"` (rendering nothing when the stack declares
 * its own default one): a data source of this provider never lacks its required_providers entry.
 */
export function ensureDefaultProvider(scope: IConstruct): void {
  const core = coreOf(scope);
  const stack = core.TerraformStack.of(scope);
  if (!stack.node.tryFindChild(IMPLICIT_ID)) new (nativeClasses(core).Provider)(stack, IMPLICIT_ID, {}, undefined, true);
}

/** Connection settings of a report construct (its `region`, `profile`, `roleArn`, `endpoint`, `timeout`). */
export interface ReportConnection {
  readonly region?: string;
  readonly profile?: string;
  readonly roleArn?: string;
  readonly endpoint?: string;
  readonly timeoutMs?: number;
}

/**
 * The provider a plan-time report with its own connection settings reads through: one aliased
 * `provider "accessadvisor"` per distinct settings and stack (`accessadvisor.report_<hash>`); undefined for a report
 * without any, which uses the stack's default provider.
 */
export function providerForConnection(scope: IConstruct, connection: ReportConnection): AccessAdvisorProvider | undefined {
  const settings = {
    ...(connection.region !== undefined ? { region: connection.region } : {}),
    ...(connection.profile !== undefined ? { profile: connection.profile } : {}),
    ...(connection.endpoint !== undefined ? { endpoint: connection.endpoint } : {}),
    ...(connection.roleArn !== undefined ? { assumeRole: { roleArn: connection.roleArn } } : {}),
    ...(connection.timeoutMs !== undefined ? { timeouts: { read: `${Math.max(1, Math.ceil(connection.timeoutMs / 1000))}s` } } : {}),
  };
  if (Object.keys(settings).length === 0) return undefined;
  const stack = coreOf(scope).TerraformStack.of(scope);
  const alias = `report_${createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 10)}`;
  const id = `accessadvisor-provider-${alias}`;
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof AccessAdvisorProvider) return existing;
  return new AccessAdvisorProvider(stack, id, { alias, ...settings });
}
