import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let collectGarbage: (() => void) | undefined;

/** A full garbage collection, for heap figures taken at a settled point (node need not run with --expose-gc). */
export function gc(): void {
  if (!collectGarbage) {
    v8.setFlagsFromString('--expose-gc');
    collectGarbage = vm.runInNewContext('gc') as () => void;
  }
  collectGarbage();
}
