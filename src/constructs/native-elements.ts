import { join } from 'node:path';
import type { Construct, IConstruct } from 'constructs';
import { PROVIDER_SOURCE, PROVIDER_TYPE } from '../provider/install';
import { ACCESS_ADVISOR_ELEMENT } from './access-advisor-element';
import type { CdkCore, Postcondition, TerraformProvider } from './cdk-core';
import type { IResolvable } from './core-types';
import { hclExpression } from './hcl-expression';
import { writeFileAtomicSync } from '../resolve/atomic-write';

/** The symbol under which cdktf and cdktn look for an element's own synthesis step. */
const CUSTOM_SYNTHESIS = Symbol.for('cdktf/customSynthesis');

/**
 * The Terraform elements of this package's own provider (`accessadvisor`), built with the core classes of the app
 * they are added to (cdktf's or cdktn's: elements of one core are invisible to the other's synthesizer). The public
 * constructs (access-advisor-provider.ts, native-data-sources.ts) wrap them; the classes are made once per core.
 */

export { PROVIDER_SOURCE, PROVIDER_TYPE };

/** A configuration value: a literal, a token, or a producer evaluated at synth (Lazy). */
export type NativeInputs = Record<string, unknown>;

/**
 * A `data "accessadvisor_…"` element (a TerraformDataSource of the app's core) whose arguments stay settable until
 * synth. Written out structurally, like core-types.ts: the published declarations name neither cdktf nor cdktn.
 */
export interface NativeDataSourceElement extends IConstruct {
  readonly terraformResourceType: string;
  /** `data.<type>.<name>`, a reference token. */
  readonly fqn: string;
  readonly friendlyUniqueId: string;
  overrideLogicalId(newLogicalId: string): void;
  setInput(name: string, value: unknown): void;
  inputsView(): Readonly<NativeInputs>;
  addPostcondition(postcondition: { readonly condition: string; readonly errorMessage: string }): void;
  interpolationForAttribute(terraformAttribute: string): IResolvable;
  getStringAttribute(terraformAttribute: string): string;
  getNumberAttribute(terraformAttribute: string): number;
  getListAttribute(terraformAttribute: string): string[];
  getBooleanAttribute(terraformAttribute: string): IResolvable;
  /** Read through this provider configuration (an AccessAdvisorProvider's element). */
  useProvider(provider: NativeProviderElement): void;
}

/** A `provider "accessadvisor"` block (a TerraformProvider of the app's core). */
export interface NativeProviderElement extends IConstruct {
  readonly terraformResourceType: string;
  /** `accessadvisor` or `accessadvisor.<alias>`. */
  readonly fqn: string;
  readonly alias?: string;
  /** Renders nothing (another default accessadvisor provider of the stack stands in for it). */
  readonly implicit: boolean;
}

/** A `check "<name>" { assert { … } }` block. */
export interface CheckBlockElement extends IConstruct {
  addAssertion(condition: string, errorMessage: string): void;
}

interface NativeClasses {
  readonly DataSource: new (scope: Construct, id: string, type: string, inputs: NativeInputs, dependsOn?: readonly { readonly fqn: string }[]) => NativeDataSourceElement;
  readonly Provider: new (scope: Construct, id: string, attributes: NativeInputs, alias: string | undefined, implicit: boolean) => NativeProviderElement;
  readonly Check: new (scope: Construct, id: string, name: string) => CheckBlockElement;
}

const classesByCore = new WeakMap<CdkCore, NativeClasses>();

/**
 * An attribute for the core's HCL renderer (`synth --hcl`) that it writes as `name = <expression>` verbatim: the
 * renderer prints a `reference` attribute's value as it is, and the value is a one-element list so that its check
 * for `${` (which would quote the expression again) does not apply. The expression is made from the value once
 * tokens are resolved, by hcl-expression.ts. The JSON renderer never sees these.
 */
interface HclVerbatim {
  readonly value: readonly unknown[];
  readonly isBlock: false;
  readonly type: 'reference';
  readonly storageClassType: 'reference';
}

function hclVerbatim(core: CdkCore, render: (resolve: (value: unknown) => unknown) => string): HclVerbatim {
  const expression = core.Lazy.anyValue({ produce: (context) => render((value) => context.resolve(value)) });
  return { value: [expression], isBlock: false, type: 'reference', storageClassType: 'reference' };
}

/** A configuration value as its HCL expression. */
function hclAttribute(core: CdkCore, value: unknown): HclVerbatim {
  return hclVerbatim(core, (resolve) => hclExpression(resolve(value)));
}

/** A reference Terraform wants bare, not quoted (`provider = accessadvisor.west`, `depends_on = [data.x.y]`). */
function hclReference(core: CdkCore, value: unknown): HclVerbatim {
  return hclVerbatim(core, (resolve) => {
    const resolved = resolve(value);
    if (Array.isArray(resolved)) return `[${resolved.map((r) => bareReference(r)).join(', ')}]`;
    return bareReference(resolved);
  });
}

function bareReference(value: unknown): string {
  const text = String(value);
  const inner = /^\$\{([^{}]*)\}$/.exec(text);
  return inner ? inner[1]! : text;
}

/** Nested blocks (`lifecycle { postcondition { … } }`, `timeouts { … }`) as the core's renderer writes blocks. */
function hclBlocks(core: CdkCore, name: string, blocks: readonly Record<string, unknown>[]): object {
  return {
    value: blocks.map((block) => hclAttributes(core, block)),
    isBlock: true,
    type: 'list',
    storageClassType: `${name}List`,
  };
}

function hclAttributes(core: CdkCore, values: Record<string, unknown>): Record<string, HclVerbatim> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, hclAttribute(core, v)]),
  );
}

/**
 * A data source's meta-arguments in HCL: the core writes `lifecycle` as attributes (`postcondition = [...]`, which
 * Terraform rejects: it is a block) and `provider` / `depends_on` as quoted strings. Rewritten here as blocks and
 * bare references; the JSON form is the core's, unchanged.
 */
function hclMetaArguments(core: CdkCore, attributes: Record<string, unknown>): void {
  const lifecycle = attributes['lifecycle'] as Record<string, unknown> | undefined;
  if (lifecycle && typeof lifecycle === 'object') {
    const value: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(lifecycle)) {
      if (entry === undefined) continue;
      value[key] =
        key === 'precondition' || key === 'postcondition'
          ? hclBlocks(core, key, entry as Record<string, unknown>[])
          : hclAttribute(core, entry);
    }
    attributes['lifecycle'] = { value, isBlock: true, type: 'simple', storageClassType: 'lifecycle' };
  }
  for (const key of ['provider', 'depends_on']) {
    if (attributes[key] !== undefined) attributes[key] = hclReference(core, attributes[key]);
  }
}

export function nativeClasses(core: CdkCore): NativeClasses {
  const known = classesByCore.get(core);
  if (known) return known;
  const { Manifest, TerraformDataSource, TerraformElement, TerraformProvider, TerraformStack } = core;

  class NativeDataSource extends TerraformDataSource implements NativeDataSourceElement {
    readonly [ACCESS_ADVISOR_ELEMENT] = true;
    private readonly inputs: NativeInputs;

    constructor(scope: Construct, id: string, type: string, inputs: NativeInputs, dependsOn?: readonly { readonly fqn: string }[]) {
      // The core renders `dependsOn` given here as Terraform wants it (the address, not an interpolation).
      super(scope, id, {
        terraformResourceType: type,
        terraformGeneratorMetadata: { providerName: PROVIDER_TYPE },
        ...(dependsOn?.length ? { dependsOn: [...dependsOn] } : {}),
      });
      this.inputs = { ...inputs };
    }

    setInput(name: string, value: unknown): void {
      if (value === undefined) delete this.inputs[name];
      else this.inputs[name] = value;
    }

    inputsView(): Readonly<NativeInputs> {
      return { ...this.inputs };
    }

    addPostcondition(postcondition: Postcondition): void {
      const existing = this.lifecycle?.postcondition ?? [];
      this.lifecycle = { ...this.lifecycle, postcondition: [...existing, postcondition] };
    }

    useProvider(provider: NativeProviderElement): void {
      this.provider = provider as unknown as TerraformProvider;
    }

    protected override synthesizeAttributes(): Record<string, unknown> {
      return Object.fromEntries(Object.entries(this.inputs).filter(([, v]) => v !== undefined));
    }

    protected override synthesizeHclAttributes(): Record<string, unknown> {
      return hclAttributes(core, this.inputs);
    }

    override toHclTerraform(): unknown {
      const fragment = super.toHclTerraform() as { data: Record<string, Record<string, Record<string, unknown>>> };
      hclMetaArguments(core, fragment.data[this.terraformResourceType]![this.friendlyUniqueId]!);
      return fragment;
    }
  }

  class NativeProvider extends TerraformProvider implements NativeProviderElement {
    readonly [ACCESS_ADVISOR_ELEMENT] = true;
    private readonly aliasName: string | undefined;

    constructor(
      scope: Construct,
      id: string,
      private readonly attributes: NativeInputs,
      alias: string | undefined,
      readonly implicit: boolean,
    ) {
      super(scope, id, {
        terraformResourceType: PROVIDER_TYPE,
        terraformProviderSource: PROVIDER_SOURCE,
        terraformGeneratorMetadata: { providerName: PROVIDER_TYPE },
      });
      this.aliasName = alias;
    }

    override get alias(): string | undefined {
      return this.aliasName;
    }

    override set alias(_value: string | undefined) {
      throw new Error(`${this.node.path}: give the alias when creating the AccessAdvisorProvider`);
    }

    protected override synthesizeAttributes(): Record<string, unknown> {
      return Object.fromEntries(Object.entries(this.attributes).filter(([, v]) => v !== undefined));
    }

    protected override synthesizeHclAttributes(): Record<string, unknown> {
      return Object.fromEntries(
        Object.entries(this.attributes)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, Array.isArray(v) ? hclBlocks(core, k, v as Record<string, unknown>[]) : hclAttribute(core, v)]),
      );
    }

    override toTerraform(): unknown {
      return this.shadowed() ? {} : super.toTerraform();
    }

    override toHclTerraform(): unknown {
      return this.shadowed() ? {} : super.toHclTerraform();
    }

    /** The implicit provider steps aside for a default `accessadvisor` provider the stack declares itself. */
    private shadowed(): boolean {
      if (!this.implicit) return false;
      return TerraformStack.of(this)
        .node.findAll()
        .some((node) => node !== this && TerraformProvider.isTerraformProvider(node) && node.terraformResourceType === PROVIDER_TYPE && node.alias === undefined);
    }
  }

  /**
   * Terraform's `check` block (Terraform ≥ 1.5): an assertion that warns, never fails, at plan and apply. The cores
   * have no class for it, so it is an element that renders the block itself.
   */
  class Check extends TerraformElement implements CheckBlockElement {
    readonly [ACCESS_ADVISOR_ELEMENT] = true;
    private readonly assertions: { condition: string; error_message: string }[] = [];

    constructor(
      scope: Construct,
      id: string,
      private readonly name: string,
    ) {
      super(scope, id, 'check');
      // The cores' hook for an element that writes files at synth (their own assets use it).
      Object.defineProperty(this, CUSTOM_SYNTHESIS, { value: { onSynthesize: (session: Parameters<Check['writeHcl']>[0]) => this.writeHcl(session) }, enumerable: false });
    }

    addAssertion(condition: string, errorMessage: string): void {
      this.assertions.push({ condition, error_message: errorMessage });
    }

    override toTerraform(): unknown {
      return { check: { [this.name]: { assert: this.assertions } } };
    }

    /**
     * The core's HCL renderer drops every block kind it does not know, `check` among them, so in `synth --hcl` the
     * block goes to a file of its own beside the stack's cdk.tf (Terraform reads every .tf file of the directory).
     */
    override toHclTerraform(): unknown {
      return {};
    }

    private writeHcl(session: { readonly outdir: string; readonly manifest: { readonly hclOutput?: boolean } }): void {
      if (!session.manifest.hclOutput) return;
      const stack = TerraformStack.of(this);
      const resolve = (value: unknown): unknown => core.Tokenization.resolve(value, { scope: stack, resolver: new core.DefaultTokenResolver(new core.StringConcat()) });
      const asserts = this.assertions.map(
        (a) =>
          `  assert {\n    condition     = ${hclExpression(resolve(a.condition))}\n    error_message = ${hclExpression(resolve(a.error_message))}\n  }\n`,
      );
      const file = join(session.outdir, Manifest.stacksFolder, stack.node.id, `check-${this.name}.tf`);
      writeFileAtomicSync(file, `check ${hclExpression(this.name)} {\n${asserts.join('')}}\n`);
    }
  }

  const classes: NativeClasses = { DataSource: NativeDataSource, Provider: NativeProvider, Check };
  classesByCore.set(core, classes);
  return classes;
}
