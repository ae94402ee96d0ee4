import { TerraformStack, Testing } from '../default-core';
import { OrganizationsAccessReport } from '../../src/constructs/organizations-access-report';
import { useSynthEmulator } from './synth-emulator';
import { MEMBER, MEMBERS_OU, ORG_ID, ROOT_ID } from './synth-world';
import { appWith, fullSynth, outputs, scratch } from './synth-support';

const synthEmulator = useSynthEmulator();

test('an organizations report resolves at synth into literal access details and counts', () => {
  const { cacheFile } = scratch();
  const stack = new TerraformStack(appWith(cacheFile), 'org');
  const report = new OrganizationsAccessReport(stack, 'members', {
    entityPath: `${ORG_ID}/${ROOT_ID}`,
    endpoint: synthEmulator.current.endpoint,
    sortKey: 'SERVICE_NAMESPACE_ASCENDING',
    timeout: '30s',
  });
  report.addOutputs('accessedServices', 'numberOfServicesAccessible', 'numberOfServicesNotAccessed', 'jobId', 'notAccessedServices');
  const out = outputs(fullSynth(stack));
  const model = report.report!;
  expect(out.members_accessedServices).toEqual(['ec2']);
  expect(model.accessDetails.find((d) => d.serviceNamespace === 'ec2')?.lastAuthenticatedTime).toBeDefined();
  expect(out.members_numberOfServicesAccessible).toBe(model.numberOfServicesAccessible);
  expect(out.members_numberOfServicesNotAccessed).toBe(model.numberOfServicesNotAccessed);
  expect((out.members_notAccessedServices as string[]).includes('ec2')).toBe(false);
  expect((out.members_notAccessedServices as string[]).length).toBe(model.numberOfServicesNotAccessed);
  expect(out.members_jobId).toBe(model.jobId);
  expect(report.lookupKey).toContain(`${ORG_ID}/${ROOT_ID}`);
  expect(model.accessDetails.find((d) => d.serviceNamespace === 'ec2')?.entityPath).toContain(`${MEMBERS_OU}/${MEMBER}`);
});

test('a bad entity path is refused before any call, naming the field', () => {
  const { cacheFile } = scratch();
  const stack = new TerraformStack(appWith(cacheFile), 'org');
  expect(() => new OrganizationsAccessReport(stack, 'bad', { entityPath: 'not-a-path' })).toThrow(/entityPath/);
  expect(() => new OrganizationsAccessReport(stack, 'bad2', { entityPath: `${ORG_ID}/${ROOT_ID}`, organizationsPolicyId: 'nope' })).toThrow(/organizationsPolicyId/);
});

test("plan mode on the external fallback emits a data.external block with the organizations query", () => {
  const { cacheFile } = scratch();
  const stack = new TerraformStack(appWith(cacheFile), 'org');
  const report = new OrganizationsAccessReport(stack, 'plan', { entityPath: `${ORG_ID}/${ROOT_ID}`, resolveAt: 'plan', planTimeSource: 'external' });
  report.addOutputs('jobId', 'notAccessedServices', 'numberOfServicesAccessible');
  const json = JSON.parse(Testing.synth(stack));
  const [id, block] = Object.entries(json.data.external as Record<string, { query: Record<string, string> }>)[0]!;
  expect(block.query).toMatchObject({ kind: 'organizations-access', entity_path: `${ORG_ID}/${ROOT_ID}` });
  const rendered = JSON.stringify(json.output);
  expect(rendered).toContain(`jsondecode(data.external.${id}.result[\\"not_accessed_services\\"])`);
  expect(rendered).toContain(`jsondecode(data.external.${id}.result[\\"number_of_services_accessible\\"])`);
  expect(rendered).not.toContain('[object Object]');
});
