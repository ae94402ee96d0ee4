/**
 * IAM wildcard matching. `*` matches any run of characters (including none), `?` exactly one; everything else is
 * literal. Action names match case-insensitively, resource ARNs case-sensitively, as IAM does.
 */

const compiled = new Map<string, RegExp>();

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

export function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    let source = '';
    for (const c of pattern) {
      if (c === '*') source += '.*';
      else if (c === '?') source += '.';
      else source += c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    }
    re = new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
    compiled.set(key, re);
  }
  return re;
}

export function matchesWildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  if (!hasWildcard(pattern)) return caseInsensitive ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  return wildcardRegExp(pattern, caseInsensitive).test(value);
}

/**
 * A compiled matcher for one pattern, for the hot paths that test the same pattern against thousands of values: `*`
 * matches everything without a RegExp, a pattern without wildcards is a comparison.
 */
export function wildcardMatcher(pattern: string, caseInsensitive: boolean): (value: string) => boolean {
  if (pattern === '*') return () => true;
  if (!hasWildcard(pattern)) {
    if (!caseInsensitive) return (value) => value === pattern;
    const lower = pattern.toLowerCase();
    return (value) => value.toLowerCase() === lower;
  }
  const re = wildcardRegExp(pattern, caseInsensitive);
  return (value) => re.test(value);
}

/** Splits `svc:Action` into its lower-case service and its action part; undefined when there is no colon. */
export function splitAction(action: string): { service: string; action: string } | undefined {
  const colon = action.indexOf(':');
  if (colon < 0) return undefined;
  return { service: action.slice(0, colon).toLowerCase(), action: action.slice(colon + 1) };
}

/**
 * A set of IAM action patterns indexed by service, so that matching one action costs a map lookup plus the few
 * wildcard patterns of its own service (an AdministratorAccess-sized tightened policy holds ~400 `svc:*` entries).
 */
export class ActionPatternSet {
  private matchesEverything = false;
  private readonly byService = new Map<string, { all: boolean; literals: Set<string>; patterns: RegExp[] }>();
  private readonly crossService: RegExp[] = [];

  constructor(patterns: readonly string[]) {
    for (const raw of patterns) this.add(raw);
  }

  private add(raw: string): void {
    const pattern = raw.trim();
    if (pattern === '*') {
      this.matchesEverything = true;
      return;
    }
    const parts = splitAction(pattern);
    if (!parts) {
      // Not `service:action`: IAM can only match it literally (and no real action looks like that).
      if (hasWildcard(pattern)) this.crossService.push(wildcardRegExp(pattern, true));
      else this.bucket('').literals.add(pattern.toLowerCase());
      return;
    }
    if (hasWildcard(parts.service)) {
      this.crossService.push(wildcardRegExp(pattern, true));
      return;
    }
    const bucket = this.bucket(parts.service);
    if (parts.action === '*') bucket.all = true;
    else if (hasWildcard(parts.action)) bucket.patterns.push(wildcardRegExp(parts.action, true));
    else bucket.literals.add(parts.action.toLowerCase());
  }

  private bucket(service: string) {
    let b = this.byService.get(service);
    if (!b) {
      b = { all: false, literals: new Set(), patterns: [] };
      this.byService.set(service, b);
    }
    return b;
  }

  /**
   * What the set says about every action of one service (`service` as written before the colon), when one answer
   * fits them all: `all` (`*`, `svc:*`), `none` (no pattern of the service and none across services), else `some`
   * (ask `matches` per action). The same lookup `matches` makes, once per service instead of once per action.
   */
  serviceCoverage(service: string): 'all' | 'none' | 'some' {
    if (this.matchesEverything) return 'all';
    const bucket = this.byService.get(service) ?? (/[A-Z]/.test(service) ? this.byService.get(service.toLowerCase()) : undefined);
    if (bucket?.all) return 'all';
    return bucket === undefined && this.crossService.length === 0 ? 'none' : 'some';
  }

  matches(action: string): boolean {
    if (this.matchesEverything) return true;
    // Hot path of every proof: avoid allocating unless a bucket needs the action name.
    const colon = action.indexOf(':');
    let bucket: { all: boolean; literals: Set<string>; patterns: RegExp[] } | undefined;
    if (colon < 0) bucket = this.byService.get('');
    else {
      const service = action.slice(0, colon);
      bucket = this.byService.get(service) ?? (/[A-Z]/.test(service) ? this.byService.get(service.toLowerCase()) : undefined);
    }
    if (bucket) {
      if (bucket.all) return true;
      const name = colon < 0 ? action : action.slice(colon + 1);
      if (bucket.literals.size > 0 && bucket.literals.has(name.toLowerCase())) return true;
      for (const re of bucket.patterns) if (re.test(name)) return true;
    }
    for (const re of this.crossService) if (re.test(action)) return true;
    return false;
  }
}

/**
 * Whether every value `pattern` can match is also matched by `cover` (both IAM patterns), erring towards "no": a
 * `*` of `pattern` can only be absorbed by a `*` of `cover`, a `?` by a `?` or a `*`, a literal only by itself or a
 * wildcard. Used where "covered" takes a permission away, so a false "yes" would fail open.
 */
export function patternCovers(cover: string, pattern: string, caseInsensitive: boolean): boolean {
  if (pattern.includes(ANY_RUN) || pattern.includes(ANY_ONE)) return false;
  const encoded = pattern.replace(/[*?]/g, (c) => (c === '*' ? ANY_RUN : ANY_ONE));
  let source = '';
  for (const c of cover) {
    if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += `[^${ANY_RUN}]`;
    else source += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').test(encoded);
}

/**
 * Whether some value may match both patterns, erring towards "yes": "no" only when their literal beginnings (before
 * either's first wildcard) or literal ends (after either's last wildcard) differ.
 */
export function patternsMayOverlap(a: string, b: string): boolean {
  const literalRun = (s: string, from: 'start' | 'end') => {
    const i = from === 'start' ? s.search(/[*?]/) : Math.max(s.lastIndexOf('*'), s.lastIndexOf('?'));
    if (from === 'start') return i < 0 ? s : s.slice(0, i);
    return i < 0 ? s : s.slice(i + 1);
  };
  if (!hasWildcard(a) && !hasWildcard(b)) return a === b;
  const [pa, pb] = [literalRun(a, 'start'), literalRun(b, 'start')];
  const n = Math.min(pa.length, pb.length);
  if (pa.slice(0, n) !== pb.slice(0, n)) return false;
  const [sa, sb] = [literalRun(a, 'end'), literalRun(b, 'end')];
  const m = Math.min(sa.length, sb.length);
  return sa.slice(sa.length - m) === sb.slice(sb.length - m);
}

// Stand-ins for a pattern's own wildcards while it is matched as text against a covering pattern.
const ANY_RUN = '\u0000';
const ANY_ONE = '\u0001';
