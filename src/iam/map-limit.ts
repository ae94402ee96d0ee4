/**
 * Maps `items` with at most `limit` calls running at once, results in input order. The first rejection rejects
 * the whole map (callers that must keep going on failure catch inside `fn`). Written here because the usual
 * packages for this (p-limit, p-map) are ESM-only and this package is CommonJS.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    // After a failure the result is lost anyway: start nothing new.
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
