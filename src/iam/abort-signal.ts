/**
 * The part of an `AbortSignal` the engine uses, written out so that the published declarations need neither the DOM
 * library nor @types/node: Node's and the DOM's AbortSignal both fit it.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- AbortSignal.reason is `any` in both libraries
  readonly reason: any;
  addEventListener(type: 'abort', listener: () => void, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
