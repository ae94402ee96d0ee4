/**
 * The one door to the CDK core. Every other module imports cdktf classes from here, never from 'cdktf' directly,
 * so that CDK Terrain (`cdktn`, the maintained fork with the same API) can be served from the same source.
 *
 * Elements must be built with the *host's* core library (aspects and synthesizer internals do not cross between
 * cdktf and cdktn), so the core is chosen at load time: `ACCESS_ADVISOR_CDK_CORE=cdktf|cdktn` if set, else the
 * first of `cdktf`, `cdktn` that resolves. Types come from cdktf's declarations; cdktn's are a superset.
 */
import type * as Cdktf from 'cdktf';

export type CdkCoreName = 'cdktf' | 'cdktn';
type CoreModule = typeof Cdktf;

const CORE_CANDIDATES: readonly CdkCoreName[] = ['cdktf', 'cdktn'];

function loadCore(): { name: CdkCoreName; module: CoreModule } {
  const forced = process.env.ACCESS_ADVISOR_CDK_CORE;
  if (forced !== undefined && forced !== '') {
    if (!(CORE_CANDIDATES as readonly string[]).includes(forced)) {
      throw new Error(
        `ACCESS_ADVISOR_CDK_CORE: ${JSON.stringify(forced)} is not allowed; expected one of ${CORE_CANDIDATES.join(', ')}`,
      );
    }
    return { name: forced as CdkCoreName, module: require(forced) as CoreModule };
  }
  const failures: string[] = [];
  for (const name of CORE_CANDIDATES) {
    try {
      return { name, module: require(name) as CoreModule };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      failures.push(name);
    }
  }
  throw new Error(
    `cdktf-access-advisor needs a CDK core: install one of ${failures.join(' or ')} (npm install cdktf constructs)`,
  );
}

const core = loadCore();

/** Which core package this process uses. */
export const cdkCoreName: CdkCoreName = core.name;

// Classes and namespaces: a value and a type of the same name, exactly like a re-export.
export const App: typeof Cdktf.App = core.module.App;
export type App = Cdktf.App;
export const TerraformStack: typeof Cdktf.TerraformStack = core.module.TerraformStack;
export type TerraformStack = Cdktf.TerraformStack;
export const TerraformElement: typeof Cdktf.TerraformElement = core.module.TerraformElement;
export type TerraformElement = Cdktf.TerraformElement;
export const TerraformDataSource: typeof Cdktf.TerraformDataSource = core.module.TerraformDataSource;
export type TerraformDataSource = Cdktf.TerraformDataSource;
export const TerraformResource: typeof Cdktf.TerraformResource = core.module.TerraformResource;
export type TerraformResource = Cdktf.TerraformResource;
export const TerraformProvider: typeof Cdktf.TerraformProvider = core.module.TerraformProvider;
export type TerraformProvider = Cdktf.TerraformProvider;
export const TerraformOutput: typeof Cdktf.TerraformOutput = core.module.TerraformOutput;
export type TerraformOutput = Cdktf.TerraformOutput;
export const TerraformLocal: typeof Cdktf.TerraformLocal = core.module.TerraformLocal;
export type TerraformLocal = Cdktf.TerraformLocal;
export const TerraformVariable: typeof Cdktf.TerraformVariable = core.module.TerraformVariable;
export type TerraformVariable = Cdktf.TerraformVariable;
export const TerraformAsset: typeof Cdktf.TerraformAsset = core.module.TerraformAsset;
export type TerraformAsset = Cdktf.TerraformAsset;
export const AssetType: typeof Cdktf.AssetType = core.module.AssetType;
export type AssetType = Cdktf.AssetType;
export const Annotations: typeof Cdktf.Annotations = core.module.Annotations;
export type Annotations = Cdktf.Annotations;
export const Aspects: typeof Cdktf.Aspects = core.module.Aspects;
export type Aspects = Cdktf.Aspects;
export const Token: typeof Cdktf.Token = core.module.Token;
export type Token = Cdktf.Token;
export const Tokenization: typeof Cdktf.Tokenization = core.module.Tokenization;
export type Tokenization = Cdktf.Tokenization;
export const Lazy: typeof Cdktf.Lazy = core.module.Lazy;
export type Lazy = Cdktf.Lazy;
export const Fn: typeof Cdktf.Fn = core.module.Fn;
export type Fn = Cdktf.Fn;
export const Testing: typeof Cdktf.Testing = core.module.Testing;
export type Testing = Cdktf.Testing;
export const StringMap: typeof Cdktf.StringMap = core.module.StringMap;
export type StringMap = Cdktf.StringMap;

// Interfaces only.
export type {
  IAspect,
  IResolvable,
  IResolveContext,
  IAnyProducer,
  IStringProducer,
  IListProducer,
  INumberProducer,
  ITerraformDependable,
  TerraformResourceLifecycle,
  TerraformCondition,
  Precondition,
  Postcondition,
  TerraformMetaArguments,
  TerraformOutputConfig,
  TerraformAssetConfig,
  TerraformProviderConfig,
  TerraformElementMetadata,
  TerraformResourceConfig,
  AppConfig,
  TestingAppConfig,
} from 'cdktf';

// `constructs` is shared by both cores.
export { Construct } from 'constructs';
export type { IConstruct } from 'constructs';
