import { evaluateIdentityPolicies, PolicySizeError, tightenPolicy, verifyTightening, type PolicyDocument } from '../../src/analysis';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { allow, doc, NOW, RECENT, report, service } from './fixtures';
import { documentedActions } from './documented-tracking';

/**
 * Issue 24, size is correctness: IAM refuses a managed policy over 6,144 characters (white space not counted) and
 * more than 10 managed policies per role. One test per path: split over several documents, compressed with word
 * prefixes, refused with a message naming the size and the limit.
 */

const catalog = loadActionCatalog();
const compact = (d: PolicyDocument) => JSON.stringify(d).length;
const denied = (documents: readonly PolicyDocument[]) =>
  documents.flatMap((d) => ([d.Statement].flat() as { Effect: string; Action?: string | string[] }[]).filter((s) => s.Effect === 'Deny').flatMap((s) => [s.Action ?? []].flat()));

/** AdministratorAccess for a role that used four services: every other catalog service unused. */
const USED = ['s3', 'ec2', 'iam', 'cloudwatch'];
const adminReport = () => report(catalog.services().map((ns) => (USED.includes(ns) ? service(ns, RECENT) : service(ns))));

describe('a tightened policy fits IAM\'s limits, or is an error', () => {
  it('split: AdministratorAccess minus ~450 unused services is Allow * plus Deny lists over several managed policies, proven together', () => {
    const r = adminReport();
    const result = tightenPolicy(doc(allow('*')), r, { catalog, now: NOW });
    expect(result.documents.length).toBeGreaterThan(1);
    expect(result.documents.length).toBeLessThanOrEqual(10);
    for (const d of result.documents) expect(compact(d)).toBeLessThanOrEqual(6144);
    expect(result.characters).toBeGreaterThan(6144);
    expect(result.notes.join('\n')).toContain(`is ${result.documents.length} managed policy documents`);
    // every document keeps the Version; the first one keeps "Allow *" as written
    for (const d of result.documents) expect(d.Version).toBe('2012-10-17');
    expect([result.documents[0]!.Statement].flat()[0]).toEqual(allow('*'));
    // the documents together decide like the whole
    for (const [action, decision] of [['ec2:RunInstances', 'Allowed'], ['kms:Decrypt', 'ExplicitlyDenied'], ['iam:PassRole', 'Allowed'], ['iam:CreateUser', 'Allowed'], ['zzbrandnew:Do', 'Allowed']] as const) {
      expect([action, evaluateIdentityPolicies(result.documents, action)]).toEqual([action, decision]);
    }
    expect(verifyTightening(doc(allow('*')), result.documents, r, { catalog, now: NOW, removedActions: result.removedActions }).failures).toEqual([]);
    // the first document alone is not the tightening: what a later one denies, it still allows
    const later = denied(result.documents.slice(1))[0]!.replace('*', 'Zz');
    expect([later, evaluateIdentityPolicies([result.documents[0]!], later)]).toEqual([later, 'Allowed']);
    expect([later, evaluateIdentityPolicies(result.documents, later)]).toEqual([later, 'ExplicitlyDenied']);
  });

  it('compressed: unused tracked actions that need more documents than allowed are denied by word prefixes that match only proven-unused actions', () => {
    // ec2 used, every ec2 action AWS tracks listed, only three used: ~700 names do not fit three documents literally.
    const ec2 = documentedActions('ec2', catalog.actions('ec2'));
    const usedActions = new Set(['DescribeInstances', 'RunInstances', 'CreateTags']);
    const r = report([service('ec2', RECENT, Object.fromEntries(ec2.map((a) => [a, usedActions.has(a) ? RECENT : undefined])))]);
    const literal = tightenPolicy(doc(allow('ec2:*')), r, { catalog, now: NOW });
    expect(literal.documents.length).toBeGreaterThan(3);
    expect(denied(literal.documents).every((a) => !a.includes('*'))).toBe(true);

    const result = tightenPolicy(doc(allow('ec2:*')), r, { catalog, now: NOW, maxPolicies: 3 });
    expect(result.documents.length).toBeLessThanOrEqual(3);
    for (const d of result.documents) expect(compact(d)).toBeLessThanOrEqual(6144);
    expect(result.notes.join('\n')).toMatch(/the unused tracked actions of ec2 are denied by word prefixes .*newer than the catalog under those prefixes are denied too/);
    const patterns = denied(result.documents).filter((a) => a.includes('*'));
    expect(patterns.length).toBeGreaterThan(0);
    // every catalog action a prefix matches is proven unused (ec2 actions AWS does not track, such as
    // TerminateInstances, share prefixes with tracked ones and must stay out of every prefix)
    const removed = new Set(result.removedActions);
    for (const p of patterns) {
      const matched = catalog.actions('ec2').map((a) => `ec2:${a}`).filter((a) => new RegExp(`^${p.replace('*', '.*')}$`, 'i').test(a));
      expect([p, matched.filter((a) => !removed.has(a))]).toEqual([p, []]);
    }
    expect(evaluateIdentityPolicies(result.documents, 'ec2:TerminateInstances')).toBe('Allowed');
    expect(patterns).not.toContain('ec2:*');
    // no prefix matches a used action, and each ends where a CamelCase word begins
    for (const p of patterns) {
      for (const used of usedActions) expect([p, new RegExp(`^${p.replace('*', '.*')}$`, 'i').test(`ec2:${used}`)]).toEqual([p, false]);
      expect(p).toMatch(/^ec2:[A-Z][A-Za-z0-9]*[a-z0-9]\*$/);
    }
    for (const used of usedActions) expect(evaluateIdentityPolicies(result.documents, `ec2:${used}`)).toBe('Allowed');
    for (const gone of ['ec2:DeleteVpc', 'ec2:DeleteVolume', 'ec2:DescribeVpcs']) expect(evaluateIdentityPolicies(result.documents, gone)).toBe('ExplicitlyDenied');
    // the narrowing, as noted: an action AWS adds later under a prefix is denied too; one under no prefix is not
    expect(evaluateIdentityPolicies(result.documents, patterns[0]!.replace('*', 'ZzFuture'))).toBe('ExplicitlyDenied');
    expect(evaluateIdentityPolicies(result.documents, 'ec2:ZzFutureVerb')).toBe('Allowed');
    expect(result.removedActions).toEqual(literal.removedActions);
    expect(result.proof.failures).toEqual([]);
  });

  it('refused: what cannot fit is a PolicySizeError naming the size and the limit, never a note, never truncated', () => {
    const r = adminReport();
    let error: unknown;
    try {
      tightenPolicy(doc(allow('*')), r, { catalog, now: NOW, maxPolicies: 1, sourceName: 'ops-admin.json' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicySizeError);
    const message = (error as Error).message;
    expect(message).toMatch(/^ops-admin\.json: the tightened policy needs \d+ managed policies of at most 6144 characters \(\d+ characters without white space in all\), more than maxPolicies 1 \(IAM attaches 10 per role or user by default, up to 20 with a quota increase\)$/);
    expect((error as PolicySizeError).kind).toBe('input');
    expect(() => tightenPolicy(doc(allow('*')), r, { catalog, now: NOW, maxPolicies: 0 })).toThrow('maxPolicies: 0 is not allowed; expected a whole number from 1 to 20');
  });
});
