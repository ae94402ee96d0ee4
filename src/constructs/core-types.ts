/**
 * The few core types that appear in this package's public declarations, written out structurally so that the
 * published `.d.ts` names neither cdktf nor cdktn: the same declarations type-check in a cdktf-only and a
 * cdktn-only project (both cores' `IResolvable` are assignable to and from this one).
 */

/** A token: a value resolved at synth by the CDK core of the app (cdktf's or cdktn's `IResolvable`). */
export interface IResolvable {
  readonly creationStack: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the cores' own signature: resolve(context: IResolveContext): any
  resolve(context: any): any;
  toString(): string;
}
