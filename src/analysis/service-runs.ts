/**
 * Runs of actions of one service in a list of `service:Action` strings. Candidate lists come in catalog order, so a
 * proof over 20,000 actions meets a few hundred services: decisions that hold for a whole service (`*`, `svc:*`, an
 * unused service) are then taken once per run instead of once per action.
 *
 * `starts[k]` is where run k begins and `starts[count]` is the list's length. Every action of a run begins with the
 * same `service:` text, exactly as written (case included: a service part holds no colon, so an action starting with
 * `svc:` is of service svc). An action without a colon is a run of its own. Runs need not be maximal: two adjacent
 * runs may be of the same service.
 */
export interface ServiceRuns {
  readonly count: number;
  readonly starts: Int32Array;
}

export function serviceRuns(actions: readonly string[], from = 0): ServiceRuns {
  const starts = new Int32Array(actions.length - from + 1);
  let count = 0;
  let prefix: string | undefined;
  for (let a = from; a < actions.length; a++) {
    const action = actions[a]!;
    if (prefix !== undefined && action.startsWith(prefix)) continue;
    starts[count++] = a;
    const colon = action.indexOf(':');
    // An action without a colon stands alone: the next action starts a run whatever it is.
    prefix = colon < 0 ? undefined : action.slice(0, colon + 1);
  }
  starts[count] = actions.length;
  return { count, starts: starts.subarray(0, count + 1) };
}

/** The runs of `head` (given) followed by the runs of what comes after it in `actions`. */
export function appendRuns(head: ServiceRuns, actions: readonly string[]): ServiceRuns {
  const headLength = head.starts[head.count]!;
  if (headLength === actions.length) return head;
  const tail = serviceRuns(actions, headLength);
  const starts = new Int32Array(head.count + tail.count + 1);
  starts.set(head.starts.subarray(0, head.count), 0);
  starts.set(tail.starts, head.count);
  return { count: head.count + tail.count, starts };
}

const cached = new WeakMap<readonly string[], ServiceRuns>();

/** `serviceRuns` of a list that never changes (a memoized catalog expansion), computed once per list. */
export function serviceRunsOfFrozen(actions: readonly string[]): ServiceRuns {
  let runs = cached.get(actions);
  if (!runs) {
    runs = serviceRuns(actions);
    cached.set(actions, runs);
  }
  return runs;
}

/** The service part of the run's actions as written (`S3` of `S3:GetObject`), or undefined for an action without colon. */
export function runService(actions: readonly string[], runs: ServiceRuns, k: number): string | undefined {
  const first = actions[runs.starts[k]!]!;
  const colon = first.indexOf(':');
  return colon < 0 ? undefined : first.slice(0, colon);
}


const sortedOrders = new WeakMap<readonly string[], Int32Array | null>();

/**
 * For a list that never changes (the catalog's every action), the order of its runs in which the list reads sorted
 * as `Array.prototype.sort()` sorts strings (by UTF-16 code units), or undefined when there is none: every run must
 * be in order and each service must have one run. Then ordering the runs by their `service:` text orders every action,
 * because that text holds its only colon at its end, so no such prefix begins another. Computed once per list.
 */
export function sortedRunOrder(actions: readonly string[]): Int32Array | undefined {
  let order = sortedOrders.get(actions);
  if (order === undefined) {
    order = computeSortedRunOrder(actions, serviceRunsOfFrozen(actions));
    sortedOrders.set(actions, order);
  }
  return order ?? undefined;
}

function computeSortedRunOrder(actions: readonly string[], runs: ServiceRuns): Int32Array | null {
  const prefixes: string[] = [];
  for (let k = 0; k < runs.count; k++) {
    const service = runService(actions, runs, k);
    if (service === undefined) return null;
    for (let i = runs.starts[k]! + 1; i < runs.starts[k + 1]!; i++) if (!(actions[i - 1]! <= actions[i]!)) return null;
    prefixes.push(`${service}:`);
  }
  const order = Int32Array.from(prefixes.keys()).sort((a, b) => (prefixes[a]! < prefixes[b]! ? -1 : prefixes[a]! > prefixes[b]! ? 1 : 0));
  for (let k = 1; k < order.length; k++) if (prefixes[order[k - 1]!] === prefixes[order[k]!]) return null;
  return order;
}
