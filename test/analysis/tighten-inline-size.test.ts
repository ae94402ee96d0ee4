import { AnalysisInputError, evaluateIdentityPolicies, INLINE_POLICIES_MAX_CHARACTERS, inlinePolicySizeProblem, PolicySizeError, tightenPolicy, type PolicyDocument } from '../../src/analysis';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { allow, doc, NOW, RECENT, report, service } from './fixtures';
import { documentedActions } from './documented-tracking';

/**
 * Issue 24, inline quotas: IAM limits the inline policies of one principal together, white space not counted: a
 * role 10,240, a group 5,120, a user 2,048 characters. A tightening attached inline (attachAs 'inline') is one
 * document within the quota of the report's principal, or a PolicySizeError naming the size, the limit and the
 * principal; never a note, never truncated.
 */

const catalog = loadActionCatalog();
const ROLE = 'arn:aws:iam::123456789012:role/app';
const USER = 'arn:aws:iam::123456789012:user/dev';
const GROUP = 'arn:aws:iam::123456789012:group/devs';
const compact = (d: PolicyDocument) => JSON.stringify(d).length;

function refusal(run: () => unknown): PolicySizeError {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicySizeError) return error;
    throw error;
  }
  throw new Error('expected a PolicySizeError');
}

/** s3 used through one tracked action: the exact form denies the other tracked s3 actions (a few thousand characters). */
const s3Evidence = (arn: string) =>
  report([service('s3', RECENT, Object.fromEntries(documentedActions('s3', catalog.actions('s3')).map((a, i) => [a, i === 0 ? RECENT : undefined])))], { arn });

/** 300 actions unknown to the catalog: kept whatever the report says (about 9,000 characters). */
const unknownActions = doc(allow(Array.from({ length: 300 }, (_, i) => `s3:GetSomethingNumber${i}`)));

describe('tightenPolicy attachAs inline: the quota of the principal kind', () => {
  it('the quotas are IAM\'s', () => {
    expect(INLINE_POLICIES_MAX_CHARACTERS).toEqual({ role: 10240, group: 5120, user: 2048 });
  });

  it('a role: the exact form of s3:* fits 10,240 as one inline document, proven like the managed one', () => {
    const role = tightenPolicy(doc(allow('s3:*')), s3Evidence(ROLE), { catalog, now: NOW, attachAs: 'inline' });
    expect(role.documents).toHaveLength(1);
    const size = compact(role.documents[0]!);
    expect(size).toBeGreaterThan(INLINE_POLICIES_MAX_CHARACTERS.user);
    expect(size).toBeLessThanOrEqual(INLINE_POLICIES_MAX_CHARACTERS.role);
    expect(role.deniedActions.length).toBeGreaterThan(100);
    expect(role.proof.holds).toBe(true);
    expect(evaluateIdentityPolicies(role.documents, `s3:${documentedActions('s3', catalog.actions('s3'))[0]}`)).toBe('Allowed');
    expect(evaluateIdentityPolicies(role.documents, `s3:${documentedActions('s3', catalog.actions('s3'))[1]}`)).toBe('ExplicitlyDenied');
  });

  it('a user: 2,048; kept actions that cannot fit are refused, naming the size, the limit and the user', () => {
    const evidence = (arn: string) => report([service('s3', RECENT)], { arn });
    const error = refusal(() => tightenPolicy(unknownActions, evidence(USER), { catalog, now: NOW, attachAs: 'inline', sourceName: 'dev.json' }));
    expect(error.message).toMatch(
      /^dev\.json: the tightened policy has \d+ characters without white space, over IAM's 2048-character limit for the inline policies of user arn:aws:iam::123456789012:user\/dev together \(its other inline policies count too\): attach it as managed policies instead/,
    );
    expect(error.characters).toBeGreaterThan(2048);
    expect(error.kind).toBe('input'); // exit 2 in the CLI
  });

  it('a user: a Deny list over 2,048 is shortened with word prefixes to fit, and says so', () => {
    // elasticloadbalancing: AWS tracks 71 of its 77 catalog actions, so word prefixes can cover the unused ones.
    const elb = documentedActions('elasticloadbalancing', catalog.actions('elasticloadbalancing'));
    const evidence = report([service('elasticloadbalancing', RECENT, Object.fromEntries(elb.map((a, i) => [a, i === 0 ? RECENT : undefined])))], { arn: USER });
    const policy = doc(allow('elasticloadbalancing:*'));
    const managed = tightenPolicy(policy, evidence, { catalog, now: NOW });
    expect(managed.characters).toBeGreaterThan(2048);
    const inline = tightenPolicy(policy, evidence, { catalog, now: NOW, attachAs: 'inline' });
    expect(inline.documents).toHaveLength(1);
    expect(compact(inline.documents[0]!)).toBeLessThanOrEqual(2048);
    expect(inline.notes.join('\n')).toContain('to fit the 2048-character inline quota of a user, the unused tracked actions of elasticloadbalancing are denied by word prefixes');
    expect(inline.removedActions).toEqual(managed.removedActions);
    expect(inline.proof.holds).toBe(true);
  });

  it('a user: s3, whose untracked actions share the prefixes of its unused tracked ones, cannot be shortened to fit: refused', () => {
    const error = refusal(() => tightenPolicy(doc(allow('s3:*')), s3Evidence(USER), { catalog, now: NOW, attachAs: 'inline' }));
    expect(error.message).toMatch(/over IAM's 2048-character limit for the inline policies of user arn:aws:iam::123456789012:user\/dev/);
  });

  it('a group: 5,120; the same document fits a role', () => {
    const evidence = (arn: string) => report([service('s3', RECENT)], { arn });
    const error = refusal(() => tightenPolicy(unknownActions, evidence(GROUP), { catalog, now: NOW, attachAs: 'inline' }));
    expect(error.message).toContain(`over IAM's 5120-character limit for the inline policies of group ${GROUP} together`);
    expect(error.characters).toBeGreaterThan(5120);
    const role = tightenPolicy(unknownActions, evidence(ROLE), { catalog, now: NOW, attachAs: 'inline' });
    expect(role.documents).toHaveLength(1);
    expect(compact(role.documents[0]!)).toBeGreaterThan(5120);
  });

  it('a managed policy\'s report has no inline form; an unknown attachAs is refused', () => {
    const policyArn = 'arn:aws:iam::123456789012:policy/shared';
    expect(() => tightenPolicy(doc(allow('s3:*')), report([service('s3', RECENT)], { arn: policyArn }), { catalog, now: NOW, attachAs: 'inline' })).toThrow(
      new AnalysisInputError('options', 'attachAs', 'inline', `"managed": ${policyArn} is not a role, user or group, so it holds no inline policies`),
    );
    expect(() => tightenPolicy(doc(allow('s3:*')), s3Evidence(ROLE), { catalog, now: NOW, attachAs: 'attached' as never })).toThrow(/attachAs: "attached" is not allowed; expected "managed" or "inline"/);
  });
});

describe('inlinePolicySizeProblem: what the gate says about a principal\'s inline policies together', () => {
  const sized = (n: number) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(n)}` }] });
  it.each([
    ['user', 2048],
    ['group', 5120],
    ['role', 10240],
  ] as const)('%s: at most %d characters over all its inline documents', (kind, limit) => {
    const base = compact(sized(0) as PolicyDocument);
    const exactly = [sized(limit - 2 * base), sized(0)];
    expect(exactly.reduce((n, d) => n + compact(d as PolicyDocument), 0)).toBe(limit);
    expect(inlinePolicySizeProblem(kind, `${kind} x`, exactly)).toBeUndefined();
    const over = [sized(limit - 2 * base + 1), sized(0)];
    expect(inlinePolicySizeProblem(kind, `${kind} x`, over)).toBe(
      `the inline policies of ${kind} ${kind} x have ${limit + 1} characters without white space together, over IAM's ${limit}-character limit for the inline policies of a ${kind}`,
    );
  });
});
