import fc from 'fast-check';
import { tightenPolicy, verifyTightening, type PolicyDocument, type PolicyStatement } from '../../src/analysis';
import { packStatements } from '../../src/analysis/policy-size';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { allow, doc, NOW, RECENT, report, service } from './fixtures';

/**
 * Issue 24, Sid collisions: a cut statement's later parts are named `<Sid>Part<n>`, and the exact form's Deny
 * statements have Sids of their own. IAM refuses a document whose Sids repeat, so every generated Sid must differ
 * from every Sid of the document(s), compared without case (the safe reading).
 */

const catalog = loadActionCatalog();

const sidsOf = (documents: readonly PolicyDocument[]) =>
  documents.flatMap((d) => ([d.Statement].flat() as PolicyStatement[]).map((s) => s.Sid).filter((sid): sid is string => sid !== undefined));
const lowerDuplicates = (sids: readonly string[]) => sids.map((s) => s.toLowerCase()).filter((s, i, all) => all.indexOf(s) !== i);

describe('packStatements names the parts of a cut statement with Sids no statement uses', () => {
  // Sids that collide with the generated names on purpose: APart2 beside A, a case variant, a base ending in "Part".
  const sidArb = fc.constantFrom(undefined, 'A', 'APart2', 'apart3', 'APart4', 'B', 'BPart2', 'BPart', 'BPartPart2', 'C');
  const statementArb = fc.record({
    sid: sidArb,
    effect: fc.constantFrom('Allow' as const, 'Deny' as const),
    actions: fc.integer({ min: 1, max: 120 }),
    service: fc.constantFrom('s3', 'ec2', 'lambda'),
  });

  it('keeps every Sid unique across all documents, every original Sid as it was, and every action in order', () => {
    fc.assert(
      fc.property(fc.array(statementArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 400, max: 1500 }), (specs, maxCharacters) => {
        // Distinct Sids in the input: IAM refuses duplicates in the original already.
        const seen = new Set<string>();
        const statements: PolicyStatement[] = specs.map((s, i) => {
          const sid = s.sid !== undefined && !seen.has(s.sid.toLowerCase()) ? s.sid : undefined;
          if (sid !== undefined) seen.add(sid.toLowerCase());
          const actions = Array.from({ length: s.actions }, (_, k) => `${s.service}:Action${i}x${k}`);
          return { ...(sid !== undefined ? { Sid: sid } : {}), Effect: s.effect, Action: actions.length === 1 ? actions[0]! : actions, Resource: '*' };
        });
        const documents = packStatements(statements, '2012-10-17', undefined, maxCharacters);
        if (documents === undefined) return; // one action alone does not fit: refused, not renamed
        const out = documents.flatMap((d) => [d.Statement].flat() as PolicyStatement[]);
        expect(lowerDuplicates(sidsOf(documents))).toEqual([]);
        for (const d of documents) expect(JSON.stringify(d).length).toBeLessThanOrEqual(maxCharacters);
        // Each original statement is a run of consecutive parts: the first keeps its Sid, the actions concatenate.
        let at = 0;
        for (const s of statements) {
          const want = [s.Action].flat();
          const got: string[] = [];
          const first = out[at]!;
          expect(first.Sid).toBe(s.Sid);
          while (got.length < want.length) got.push(...([out[at++]!.Action ?? []].flat() as string[]));
          expect(got).toEqual(want);
        }
        expect(at).toBe(out.length);
      }),
      { numRuns: 150 },
    );
  });

  it('skips a taken name: A cut in three beside an existing APart2 gives APart3 and APart4', () => {
    const actions = Array.from({ length: 90 }, (_, k) => `s3:Action${k}`);
    const documents = packStatements(
      [
        { Sid: 'A', Effect: 'Allow', Action: actions, Resource: '*' },
        { Sid: 'APart2', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' },
      ],
      '2012-10-17',
      undefined,
      1200,
    )!;
    const sids = sidsOf(documents);
    expect(sids[0]).toBe('A');
    expect(sids).toContain('APart2');
    expect(sids.filter((s) => s === 'APart2')).toHaveLength(1);
    expect(sids.filter((s) => /^APart[34]$/.test(s)).length).toBeGreaterThan(0);
    expect(lowerDuplicates(sids)).toEqual([]);
  });
});

describe('tightenPolicy: the Deny statements and their parts never repeat a Sid of the original', () => {
  it('AdministratorAccess whose statements already use the generated names: every Sid unique, the proof holds', () => {
    const USED = ['s3', 'ec2', 'iam'];
    const r = report(catalog.services().map((ns) => (USED.includes(ns) ? service(ns, RECENT) : service(ns))));
    const original = doc(
      { Sid: 'AccessAdvisorDenyUnusedServices', ...allow('*') },
      { Sid: 'AccessAdvisorDenyUnusedServices2Part2', ...allow('s3:GetObject') },
      { Sid: 'accessadvisordenyunusedservices2part3', ...allow('s3:PutObject') },
    );
    const result = tightenPolicy(original, r, { catalog, now: NOW });
    expect(result.documents.length).toBeGreaterThan(1);
    const sids = sidsOf(result.documents);
    expect(lowerDuplicates(sids)).toEqual([]);
    // the original Sids stay on their statements; the Deny lists got fresh names, cut into parts past the taken ones
    expect(sids).toEqual(expect.arrayContaining(['AccessAdvisorDenyUnusedServices', 'AccessAdvisorDenyUnusedServices2Part2', 'accessadvisordenyunusedservices2part3']));
    expect(sids).toContain('AccessAdvisorDenyUnusedServices2');
    expect(sids).toContain('AccessAdvisorDenyUnusedServices2Part4');
    expect(verifyTightening(original, result.documents, r, { catalog, now: NOW, removedActions: result.removedActions }).failures).toEqual([]);
  });
});
