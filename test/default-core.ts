/**
 * The default CDK core for this repository's tests and benchmarks: cdktf, else cdktn (cdktn's API is a superset).
 * Test code, so it is not published: the package's constructs never use it, they build with `coreOf(scope)`
 * (src/constructs/cdk-core.ts), which takes the classes of whichever core the user's app was made with.
 */
import type * as Cdktf from 'cdktf';
import { CdkCoreError, reachableCores, type CdkCore, type CdkCoreName } from '../src/constructs/cdk-core';

function defaultCore(): { name: CdkCoreName; module: CdkCore } {
  const cores = reachableCores();
  const pick = cores.find((core) => core.name === 'cdktf') ?? cores[0];
  if (!pick) throw new CdkCoreError('cdktf-access-advisor needs a CDK core: install cdktf or cdktn (npm install cdktf constructs)');
  return pick;
}

const core = defaultCore();

/** Which core the exports below are. */
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


// The core's interfaces and `constructs`, as cdk-core names them.
export type * from '../src/constructs/cdk-core';
export { Construct } from 'constructs';
