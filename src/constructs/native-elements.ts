import type { Construct, IConstruct } from 'constructs';
import { PROVIDER_SOURCE, PROVIDER_TYPE } from '../provider/install';
import { ACCESS_ADVISOR_ELEMENT } from './access-advisor-element';
import type { CdkCore, Postcondition, TerraformProvider } from './cdk-core';
import type { IResolvable } from './core-types';

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

/** Terraform's own representation of a value, for cdktf's HCL renderer (the JSON renderer needs none). */
function hclAttribute(value: unknown): { value: unknown; isBlock: false; type: string; storageClassType: string } {
  if (Array.isArray(value)) {
    const objects = value.some((v) => typeof v === 'object' && v !== null);
    return { value, isBlock: false, type: 'list', storageClassType: objects ? 'list' : 'stringList' };
  }
  if (typeof value === 'number') return { value, isBlock: false, type: 'simple', storageClassType: 'number' };
  if (typeof value === 'boolean') return { value, isBlock: false, type: 'simple', storageClassType: 'boolean' };
  return { value, isBlock: false, type: 'simple', storageClassType: 'string' };
}

export function nativeClasses(core: CdkCore): NativeClasses {
  const known = classesByCore.get(core);
  if (known) return known;
  const { TerraformDataSource, TerraformElement, TerraformProvider, TerraformStack } = core;

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
      return Object.fromEntries(
        Object.entries(this.inputs)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, hclAttribute(v)]),
      );
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
          .map(([k, v]) => [k, Array.isArray(v) ? { value: v, isBlock: true, type: 'list', storageClassType: `${k}List` } : hclAttribute(v)]),
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
    }

    addAssertion(condition: string, errorMessage: string): void {
      this.assertions.push({ condition, error_message: errorMessage });
    }

    override toTerraform(): unknown {
      return { check: { [this.name]: { assert: this.assertions } } };
    }

    override toHclTerraform(): unknown {
      return this.toTerraform();
    }
  }

  const classes: NativeClasses = { DataSource: NativeDataSource, Provider: NativeProvider, Check };
  classesByCore.set(core, classes);
  return classes;
}
