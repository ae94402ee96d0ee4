/**
 * One copy per process of the short strings report pages repeat: action and service names, namespaces, regions, the
 * ARNs of the principals that used them. A 400-service ACTION_LEVEL page names thousands of actions, and every page
 * of every principal names the same ones.
 *
 * It also keeps a report from holding its page: a string the XML parser cuts out of the page's text is, for V8, a
 * view of that text (from 13 characters up), so a report made of such strings keeps the whole page text alive for as
 * long as the report lives (a second copy of every page). The strings stored here are copies of their own.
 *
 * Bounded: past MAX_ENTRIES distinct strings (far more than IAM's whole action catalog) or for a string longer than
 * MAX_LENGTH, a value is copied but not kept, so a server that sends endless distinct names costs memory only for the
 * reports that hold them.
 */
const MAX_ENTRIES = 30_000;
const MAX_LENGTH = 128;

const canonical = new Map<string, string>();
const lowerCase = new Map<string, string>();

/** `value`, as the one copy this process keeps of it (a copy that views no larger text). */
export function interned(value: string): string {
  if (value.length > MAX_LENGTH) return ownCopy(value);
  const known = canonical.get(value);
  if (known !== undefined) return known;
  const own = ownCopy(value);
  if (canonical.size < MAX_ENTRIES) canonical.set(own, own);
  return own;
}

/** `value.toLowerCase()`, computed once per distinct value (within the same bounds). */
export function lowerCased(value: string): string {
  const known = lowerCase.get(value);
  if (known !== undefined) return known;
  const lower = value.toLowerCase();
  if (value.length <= MAX_LENGTH && lowerCase.size < MAX_ENTRIES) {
    // toLowerCase makes a new string when anything changes; when nothing does it gives `value` back.
    const key = interned(value);
    lowerCase.set(key, lower === value ? key : lower);
  }
  return lower;
}

/**
 * A copy of `value` that shares no memory with the text it came from. Below 13 characters V8 copies on every slice
 * already. From 13 up a slice is a view, but a slice of a joined string is cut from the joined string made flat,
 * i.e. from a new string of `value`'s length plus one (engine built-ins only: cheap even before the code is warm).
 */
function ownCopy(value: string): string {
  return value.length < 13 ? value : (' ' + value).slice(1);
}
