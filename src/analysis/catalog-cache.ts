import type { ActionCatalog } from '../model/action-catalog';

/**
 * Memoized wildcard expansion per catalog: a tightening and its proof expand the same patterns (`*` is 20,000+
 * actions) several times.
 */
const expansions = new WeakMap<ActionCatalog, Map<string, readonly string[]>>();

export function expandPattern(catalog: ActionCatalog, pattern: string): readonly string[] {
  let cache = expansions.get(catalog);
  if (!cache) {
    cache = new Map();
    expansions.set(catalog, cache);
  }
  const key = pattern.toLowerCase();
  let result = cache.get(key);
  if (!result) {
    result = catalog.expand(pattern);
    if (cache.size > 5000) cache.clear();
    cache.set(key, result);
  }
  return result;
}
