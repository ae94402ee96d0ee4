import { readFileSync, writeFileSync } from 'node:fs';
import { OrganizationsPolicy } from '@cdktf/provider-aws/lib/organizations-policy';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DEFAULT_PROTECTED_SERVICES } from '../../src/analysis/scp-protected';
import { SCP_MAX_CHARACTERS } from '../../src/analysis/scp-documents';
import { TerraformOutput, TerraformStack } from '../default-core';
import { OrganizationsAccessReport } from '../../src/constructs/organizations-access-report';
import { ServiceControlPolicyProposal } from '../../src/constructs/service-control-policy-proposal';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { useSynthEmulator } from './synth-emulator';
import { MEMBER, MEMBERS_OU, ORG_ID, ROOT_ID } from './synth-world';
import { annotations, appWith, fullSynth, outputs, scratch, workerRuns } from './synth-support';

// synth-world: FullAWSAccess on the root only; the member account (under the members OU) used ec2 2 days ago.
const synthEmulator = useSynthEmulator();
const ROOT = `${ORG_ID}/${ROOT_ID}`;
const PROTECTED = DEFAULT_PROTECTED_SERVICES.map((p) => p.service);
let workerLog: string;
beforeEach(() => {
  workerLog = scratch().workerLog;
  process.env.ACCESS_ADVISOR_WORKER_LOG = workerLog;
});
afterEach(() => {
  delete process.env.ACCESS_ADVISOR_WORKER_LOG;
});

function reportOf(stack: TerraformStack, id: string, entityPath: string, organizationsPolicyId?: string) {
  return new OrganizationsAccessReport(stack, id, {
    entityPath,
    ...(organizationsPolicyId ? { organizationsPolicyId } : {}),
    endpoint: synthEmulator.current.endpoint,
    timeout: '30s',
  });
}

test('proposals evaluate at synth: reports declared after a proposal still resolve in one batch; documents are literal JSON', () => {
  const { cacheFile } = scratch();
  const stack = new TerraformStack(appWith(cacheFile), 'scp');
  const root = reportOf(stack, 'root', ROOT);
  const proposal = new ServiceControlPolicyProposal(stack, 'root_proposal', { report: root, allow: [{ permission: 'glue', reason: 'nightly ETL, run from another org' }] });
  const account = reportOf(stack, 'member', `${ROOT}/${MEMBERS_OU}/${MEMBER}`);
  const accountProposal = new ServiceControlPolicyProposal(stack, 'member_proposal', { report: account });
  const allowList = new ServiceControlPolicyProposal(stack, 'allow_list', { report: root, style: 'allow-list' });
  new TerraformOutput(stack, 'denied', { value: proposal.deniedServices });
  new TerraformOutput(stack, 'count', { value: proposal.documentCount });
  new TerraformOutput(stack, 'first', { value: proposal.documentJson(0) });
  new TerraformOutput(stack, 'member_json', { value: accountProposal.json });
  new TerraformOutput(stack, 'member_notes', { value: accountProposal.notes });
  new TerraformOutput(stack, 'allow_json', { value: allowList.json });
  new TerraformOutput(stack, 'kept', { value: proposal.keptServices });
  const out = outputs(fullSynth(stack));
  expect(workerRuns(workerLog)).toEqual([expect.objectContaining({ jobs: 2 })]); // one worker run for both reports

  const catalog = loadActionCatalog().services();
  const expected = catalog.filter((s) => !['ec2', 'glue', ...PROTECTED].includes(s)).sort();
  expect(out.denied).toEqual(expected);
  expect(out.count).toBeGreaterThan(1);
  expect((out.first as string).length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
  expect(JSON.parse(out.first as string).Statement[0]).toMatchObject({ Effect: 'Deny', Sid: 'DenyServicesUnusedFor90DaysPart1' });
  expect(out.kept as string[]).toContain('glue: glue is allowed by exception glue: nightly ETL, run from another org');
  expect((out.kept as string[]).find((k) => k.startsWith('ec2: '))).toMatch(/last used .* within the 90-day window/);
  // The members OU has no SCP of its own, so (as in AWS) nothing is allowed there: nothing to deny.
  expect(out.member_json).toEqual([]);
  expect(out.member_notes as string[]).toContain('nothing to deny: every service the report lists was used within the window or is kept');
  const allowDoc = JSON.parse((out.allow_json as string[])[0]!);
  expect(allowDoc.Statement[0].Effect).toBe('Allow');
  expect(allowDoc.Statement[0].Action).toEqual([...new Set(['ec2', ...PROTECTED])].sort().map((s) => `${s}:*`));
  expect(annotations(stack, 'error')).toEqual([]);
});

test('the example pattern: one unattached aws_organizations_policy per document, after reading the result', () => {
  const { cacheFile } = scratch();
  const stack = new TerraformStack(appWith(cacheFile), 'scp');
  const root = reportOf(stack, 'root', ROOT);
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const proposal = new ServiceControlPolicyProposal(stack, 'p', { report: root });
  const result = proposal.result!;
  result.documents.forEach((d, i) => new OrganizationsPolicy(stack, `scp_${i}`, { name: `deny-unused-${i}`, type: 'SERVICE_CONTROL_POLICY', content: proposal.documentJson(i) }));
  const json = fullSynth(stack) as { resource: { aws_organizations_policy: Record<string, { content: string }> } };
  const contents = Object.values(json.resource.aws_organizations_policy).map((p) => p.content);
  expect(contents).toEqual(result.json);
  expect(result.proof.holds).toBe(true);
});

test('more documents than the remaining slots fails the synth with the count; bad props fail at construction', () => {
  const { cacheFile } = scratch();
  const stack = new TerraformStack(appWith(cacheFile), 'scp');
  const root = reportOf(stack, 'root', ROOT);
  new ServiceControlPolicyProposal(stack, 'tight', { report: root, remainingSlots: 1 });
  expect(() => fullSynth(stack)).toThrow();
  expect(annotations(stack, 'error').join('\n')).toMatch(/needs \d documents .* only 1 SCP slot\(s\) left/);
  expect(() => new ServiceControlPolicyProposal(stack, 'bad', { report: root, unusedAfterDays: 500 })).toThrow(/unusedAfterDays: 500/);
  expect(() => new ServiceControlPolicyProposal(stack, 'bad2', { report: root, style: 'grey-list' as never })).toThrow(/style/);
  expect(() => new ServiceControlPolicyProposal(stack, 'bad3', { report: {} as never })).toThrow(/OrganizationsAccessReport/);
});

test('a report with an SCP id not known to cover the entity proposes nothing', () => {
  const { cacheFile } = scratch();
  const stack = new TerraformStack(appWith(cacheFile), 'scp');
  const report = reportOf(stack, 'full', ROOT, 'p-FullAWSAccess');
  const partial = new ServiceControlPolicyProposal(stack, 'partial', { report });
  const covered = new ServiceControlPolicyProposal(stack, 'covered', { report, policyCoversEntity: true });
  expect(partial.result!.status).toBe('partial-evidence');
  expect(partial.result!.documents).toEqual([]);
  expect(covered.result!.status).toBe('sufficient');
  expect(covered.result!.deniedServices.length).toBeGreaterThan(100);
});

test('a cache entry past its maxAge with lookups off: no proposal, synth fails naming the entry and the refresh command', () => {
  const { cacheFile } = scratch();
  const fresh = new TerraformStack(appWith(cacheFile), 'scp');
  const root = reportOf(fresh, 'root', ROOT);
  new ServiceControlPolicyProposal(fresh, 'proposal', { report: root });
  fullSynth(fresh);
  // The committed cache, ten days later.
  const file = JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: Record<string, { resolvedAt: string }> };
  for (const entry of Object.values(file.entries)) entry.resolvedAt = new Date(Date.now() - 10 * 86_400_000).toISOString();
  writeFileSync(cacheFile, JSON.stringify(file));
  const stack = new TerraformStack(appWith(cacheFile, { 'accessAdvisor:lookups': 'off' }), 'scp');
  const stale = reportOf(stack, 'root', ROOT);
  const proposal = new ServiceControlPolicyProposal(stack, 'proposal', { report: stale });
  let message = '';
  try {
    fullSynth(stack);
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toContain(`ServiceControlPolicyProposal scp/proposal: no proposal on stale evidence for ${ROOT}`);
  expect(message).toContain(`access-advisor cache refresh '${stale.lookupKey}' --file ${cacheFile}`);
  expect(proposal.result!.status).toBe('stale-evidence');
  expect(proposal.result!.documents).toEqual([]);
});
