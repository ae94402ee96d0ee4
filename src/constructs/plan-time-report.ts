import * as fs from 'fs';
import * as path from 'path';
import type { Construct, IConstruct } from 'constructs';
import { coreOf, type CdkCore, type Postcondition, type TerraformAsset, type TerraformStack } from './cdk-core';
import type { IResolvable } from './core-types';
import { EXTERNAL_QUERY_KEYS } from '../resolve/external-protocol';
import type { ExternalQueryKey, ExternalResultKey } from '../resolve/external-protocol';

export type { ExternalQueryKey, ExternalResultKey } from '../resolve/external-protocol';

/**
 * The plan-time fallback (`planTimeSource: 'external'`): a `data "external"` block whose program is this package's
 * resolver, bundled into one file and shipped in the stack as an asset, so the synthesized stack runs wherever
 * Terraform, `hashicorp/external` and Node ≥ 20 are, without installing this package's provider.
 * Built with the host's own core classes (no @cdktf/provider-external, which has no cdktn counterpart).
 */
export interface PlanTimeReportBinding {
  /** Which plan-time source this is: the `data "external"` fallback. */
  readonly source: 'external';
  /** The `data "external"` element (a TerraformDataSource of the app's core). */
  readonly dataSource: IConstruct;
  /** A string token rendering `${data.external.<id>.result["<key>"]}`. */
  result(key: ExternalResultKey): string;
  /** A token for `jsondecode(result[key])`, usable as a list or number in resources. */
  decoded(key: ExternalResultKey): IResolvable;
  /** `decoded(key)` typed as a list of strings (for JSON-array keys such as `unused_services`). */
  decodedList(key: ExternalResultKey): string[];
  /** `decoded(key)` typed as a number (for count keys such as `violation_count`), e.g. for a `count`. */
  decodedNumber(key: ExternalResultKey): number;
  /** Set a query parameter (the gate sets unused_after_days and allow before synth). */
  setQuery(key: string, value: string): void;
  /** The query as it stands (values may be tokens). */
  readonly query: Readonly<Record<string, string>>;
  addPostcondition(condition: string, errorMessage: string): void;
}

/** The provider requirement every plan-time report needs; written once per stack. */
export const EXTERNAL_PROVIDER_REQUIREMENT = { source: 'hashicorp/external', version: '~> 2.3' } as const;

/** The bundled program's file name inside the package (and inside the stack asset folder). */
export const EXTERNAL_PROGRAM_FILE = 'access-advisor-external.js';

const PROGRAM_ASSET_ID = 'access-advisor-external-program';
const PROVIDER_ID = 'access-advisor-external-provider';

/**
 * The canonical plan-gate condition over the program's outputs: the data source's `violation_count` is "0" and the
 * gate's verdict `passed` is "true" (stale evidence flags nothing, so it has no violation, yet it never passes).
 * Wrapped in `${…}` because in Terraform's JSON syntax a bare string is a literal, not an expression.
 */
export function planGateCondition(): string {
  return '${self.result["violation_count"] == "0" && self.result["passed"] == "true"}';
}

/** The canonical plan-gate error message: the program's one-line summary (evaluated only when the gate fails). */
export function planGateErrorMessage(): string {
  return 'Least-privilege gate: ${self.result["summary"]}';
}

/** Builds the plan-time program's query (resolve/external-protocol.ts) from typed props, dropping what is undefined. */
export function planTimeQuery(props: {
  readonly kind?: 'service-last-accessed' | 'organizations-access';
  readonly arn?: string;
  readonly granularity?: string;
  readonly withEntities?: boolean;
  readonly entityPath?: string;
  readonly organizationsPolicyId?: string;
  readonly sortKey?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly roleArn?: string;
  readonly endpoint?: string;
  readonly timeoutSeconds?: number;
  readonly unusedAfterDays?: number;
  readonly maxReportAgeDays?: number;
  readonly allow?: readonly { readonly permission: string; readonly reason: string }[];
}): Record<string, string> {
  const entries: [ExternalQueryKey, string | number | boolean | undefined][] = [
    ['kind', props.kind],
    ['arn', props.arn],
    ['granularity', props.granularity],
    ['with_entities', props.withEntities],
    ['entity_path', props.entityPath],
    ['organizations_policy_id', props.organizationsPolicyId],
    ['sort_key', props.sortKey],
    ['region', props.region],
    ['profile', props.profile],
    ['role_arn', props.roleArn],
    ['endpoint', props.endpoint],
    ['timeout_seconds', props.timeoutSeconds],
    ['unused_after_days', props.unusedAfterDays],
    ['max_report_age_days', props.maxReportAgeDays],
    ['allow', props.allow === undefined ? undefined : JSON.stringify(props.allow)],
  ];
  const query: Record<string, string> = {};
  for (const [key, value] of entries) if (value !== undefined) query[key] = String(value);
  return query;
}

/**
 * Emits `data "external" "<id>"` in the stack of `scope`, with the program asset and the provider requirement
 * added once per stack. `query` values are strings or string tokens (`role.arn`, a variable, a data source
 * attribute); undefined values are dropped, unknown keys rejected here rather than at plan.
 */
export function bindPlanTimeReport(scope: Construct, id: string, query: Record<string, string>): PlanTimeReportBinding {
  const core = coreOf(scope);
  const { Fn, Token } = core;
  const stack = core.TerraformStack.of(scope);
  requireExternalProvider(core, stack);
  const asset = programAsset(core, stack);
  const dataSource = new (externalClasses(core).ExternalDataSource)(scope, id, `\${path.module}/${asset.path}`);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) dataSource.setQuery(key, value);
  }

  const result = (key: ExternalResultKey): string =>
    Token.asString(dataSource.interpolationForAttribute(`result[${JSON.stringify(key)}]`));
  const decoded = (key: ExternalResultKey): IResolvable => Fn.jsondecode(result(key));
  return {
    source: 'external',
    dataSource,
    result,
    decoded,
    decodedList: (key) => Token.asList(decoded(key)),
    decodedNumber: (key) => Token.asNumber(decoded(key)),
    setQuery: (key, value) => dataSource.setQuery(key, value),
    get query() {
      return dataSource.queryView();
    },
    addPostcondition: (condition, errorMessage) => dataSource.addPostcondition({ condition, errorMessage }),
  };
}

/** The two element classes, built once per core: elements must subclass the app's own core classes. */
interface ExternalClasses {
  readonly ExternalDataSource: new (scope: Construct, id: string, programPath: string) => ExternalDataSourceElement;
  readonly ExternalProviderRequirement: new (scope: Construct, id: string) => IConstruct;
}

interface ExternalDataSourceElement extends IConstruct {
  setQuery(key: string, value: string): void;
  queryView(): Readonly<Record<string, string>>;
  addPostcondition(postcondition: Postcondition): void;
  interpolationForAttribute(attribute: string): IResolvable;
}

const classesByCore = new WeakMap<CdkCore, ExternalClasses>();

function externalClasses(core: CdkCore): ExternalClasses {
  const known = classesByCore.get(core);
  if (known) return known;
  const { TerraformDataSource, TerraformProvider, TerraformStack } = core;

  /** `data "external"` with its three arguments; the query stays mutable until synth. */
  class ExternalDataSource extends TerraformDataSource {
    static readonly tfResourceType = 'external';
    private readonly queryMap: Record<string, string> = {};

    constructor(
      scope: Construct,
      id: string,
      private readonly programPath: string,
    ) {
      super(scope, id, { terraformResourceType: 'external', terraformGeneratorMetadata: { providerName: 'external' } });
    }

    setQuery(key: string, value: string): void {
      if (!(EXTERNAL_QUERY_KEYS as readonly string[]).includes(key)) {
        throw new Error(
          `plan-time report ${this.node.path}: query key ${JSON.stringify(key)} is not allowed; expected one of ${EXTERNAL_QUERY_KEYS.join(', ')}`,
        );
      }
      if (typeof value !== 'string') {
        throw new Error(
          `plan-time report ${this.node.path}: query key "${key}": ${JSON.stringify(value)} is not allowed; expected a string (Terraform's external query is map(string))`,
        );
      }
      this.queryMap[key] = value;
    }

    queryView(): Readonly<Record<string, string>> {
      return { ...this.queryMap };
    }

    addPostcondition(postcondition: Postcondition): void {
      const existing = this.lifecycle?.postcondition ?? [];
      this.lifecycle = { ...this.lifecycle, postcondition: [...existing, postcondition] };
    }

    protected override synthesizeAttributes(): Record<string, unknown> {
      // Terraform's external provider does not go through a shell and resolves relative paths against its working
      // directory; `${path.module}` makes the asset path right both in the stack directory and as a module.
      return { program: ['node', this.programPath], query: this.queryView() };
    }

    protected override synthesizeHclAttributes(): Record<string, unknown> {
      return {
        program: { value: ['node', this.programPath], isBlock: false, type: 'list', storageClassType: 'stringList' },
        query: { value: this.queryView(), isBlock: false, type: 'map', storageClassType: 'stringMap' },
      };
    }
  }

  /**
   * The `hashicorp/external` provider requirement, one per stack. It is a provider construct (not a bare override)
   * because cdktf's synth validation wants one for every provider its data sources name. When the stack also holds
   * another external provider (a user's @cdktf/provider-external `ExternalProvider`), this one renders nothing, so
   * there is never a duplicate `provider "external"` block.
   */
  class ExternalProviderRequirement extends TerraformProvider {
    constructor(scope: Construct, id: string) {
      super(scope, id, {
        terraformResourceType: 'external',
        terraformProviderSource: EXTERNAL_PROVIDER_REQUIREMENT.source,
        terraformGeneratorMetadata: { providerName: 'external', providerVersionConstraint: EXTERNAL_PROVIDER_REQUIREMENT.version },
      });
    }

    protected override synthesizeAttributes(): Record<string, unknown> {
      return {};
    }

    protected override synthesizeHclAttributes(): Record<string, unknown> {
      return {};
    }

    override toTerraform(): unknown {
      return this.shadowed() ? {} : super.toTerraform();
    }

    override toHclTerraform(): unknown {
      return this.shadowed() ? {} : super.toHclTerraform();
    }

    private shadowed(): boolean {
      return TerraformStack.of(this)
        .node.findAll()
        .some((node) => node !== this && TerraformProvider.isTerraformProvider(node) && node.terraformResourceType === 'external');
    }
  }

  const classes: ExternalClasses = { ExternalDataSource, ExternalProviderRequirement };
  classesByCore.set(core, classes);
  return classes;
}

function requireExternalProvider(core: CdkCore, stack: TerraformStack): void {
  if (!stack.node.tryFindChild(PROVIDER_ID)) new (externalClasses(core).ExternalProviderRequirement)(stack, PROVIDER_ID);
}

function programAsset(core: CdkCore, stack: TerraformStack): TerraformAsset {
  const existing = stack.node.tryFindChild(PROGRAM_ASSET_ID);
  if (existing) return existing as TerraformAsset;
  return new core.TerraformAsset(stack, PROGRAM_ASSET_ID, { path: bundledProgramPath(), type: core.AssetType.FILE });
}

/**
 * Where the bundled program is: `dist/external/` of this package, found from this module whether it runs from
 * `dist/constructs` (installed) or `src/constructs` (tests in this repository).
 */
export function bundledProgramPath(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && readPackageName(manifest) === 'cdktf-access-advisor') break;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cdktf-access-advisor: cannot find the package root above ${__dirname}`);
    dir = parent;
  }
  const program = path.join(dir, 'dist', 'external', EXTERNAL_PROGRAM_FILE);
  if (!fs.existsSync(program)) {
    throw new Error(
      `cdktf-access-advisor: the plan-time program ${program} is missing; build it with \`npm run build\` ` +
        '(or `node scripts/bundle-external.js`)',
    );
  }
  return program;
}

function readPackageName(manifest: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}
