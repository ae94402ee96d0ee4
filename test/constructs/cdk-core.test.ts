import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cdktf from 'cdktf';
import * as cdktn from 'cdktn';
import { Construct } from 'constructs';
import { CdkCoreError, coreNameOf, coreOf } from '../../src/constructs/cdk-core';
import { LeastPrivilegeGate } from '../../src/constructs/least-privilege-gate';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { reportRequestKey } from '../../src/iam/index';
import type { ReportRequest } from '../../src/model/report';
import { cacheEntryKey, serializeCacheFile } from '../../src/resolve/cache-file';
import { RECENT, report, service } from '../analysis/fixtures';
import { asOfToday } from '../analysis/construct-fixtures';

// Both cores are installed in this repository (and loaded in this process): the situation where a package that
// picks "the first core that resolves" builds a cdktn app's gate with cdktf's Aspects, which cdktn never runs.
const CORES = { cdktf, cdktn } as const;
type CoreName = keyof typeof CORES;

const failing = asOfToday(report([service('s3', RECENT), service('ec2')]));

function appWithCachedReport(core: CoreName): { app: cdktf.App; stack: cdktf.TerraformStack } {
  const dir = mkdtempSync(join(tmpdir(), `aa-core-${core}-`));
  const cacheFile = join(dir, 'access-advisor.context.json');
  const request: ReportRequest = { kind: 'service-last-accessed', arn: failing.arn, granularity: failing.granularity, withEntities: false };
  const entries = { [cacheEntryKey(reportRequestKey(request), {})]: { request, connection: {}, resolvedAt: new Date().toISOString(), report: failing } };
  writeFileSync(cacheFile, serializeCacheFile({ schemaVersion: 1, entries } as never));
  const { App, TerraformStack } = CORES[core] as unknown as typeof cdktf;
  const app = new App({ outdir: join(dir, 'cdktf.out'), context: { 'accessAdvisor:cacheFile': cacheFile, 'accessAdvisor:lookups': 'off' } });
  return { app, stack: new TerraformStack(app, 'stack') };
}

describe.each(Object.keys(CORES) as CoreName[])('an app built on %s, with both cores loaded', (core) => {
  it('builds with that core and a failing gate fails app.synth()', () => {
    const { app, stack } = appWithCachedReport(core);
    const gate = new LeastPrivilegeGate(stack, 'gate', { report: new ServiceLastAccessedReport(stack, 'report', { arn: failing.arn, granularity: failing.granularity }) });
    expect(coreNameOf(gate)).toBe(core);
    expect(coreOf(gate)).toBe(CORES[core]);
    expect(() => app.synth()).toThrow(/error annotations|unused permission|unused service/);
  });

  it('a passing gate synthesizes', () => {
    const { app, stack } = appWithCachedReport(core);
    new LeastPrivilegeGate(stack, 'gate', {
      report: new ServiceLastAccessedReport(stack, 'report', { arn: failing.arn, granularity: failing.granularity }),
      allow: [{ permission: 'ec2', reason: 'break-glass' }],
    });
    expect(() => app.synth()).not.toThrow();
  });

  it('plan-time elements are elements of that core (the provider\'s data sources, and the external fallback)', () => {
    const { stack } = appWithCachedReport(core);
    const report = new ServiceLastAccessedReport(stack, 'report', { arn: failing.arn, resolveAt: 'plan' });
    const gate = new LeastPrivilegeGate(stack, 'gate', { report, failOn: 'warning' });
    const { TerraformDataSource, TerraformProvider, TerraformAsset, TerraformElement } = CORES[core] as unknown as typeof cdktf;
    const other = core === 'cdktf' ? cdktn : cdktf;
    expect(report.planTime!.source).toBe('provider');
    for (const element of [report.planTime!.dataSource, gate.planDecision!.element]) {
      expect(element).toBeInstanceOf(TerraformDataSource);
      expect(element).not.toBeInstanceOf(other.TerraformDataSource);
    }
    expect(gate.node.findAll().some((c) => c !== gate && c instanceof TerraformElement && !(c instanceof TerraformDataSource))).toBe(true); // the check block
    const providers = stack.node.findAll().filter((c) => c instanceof TerraformProvider);
    expect(providers.map((p) => (p as cdktf.TerraformProvider).terraformResourceType)).toEqual(['accessadvisor']);

    const fallback = new ServiceLastAccessedReport(stack, 'fallback', { arn: failing.arn, resolveAt: 'plan', planTimeSource: 'external' });
    expect(fallback.planTime!.source).toBe('external');
    expect(fallback.planTime!.dataSource).toBeInstanceOf(TerraformDataSource);
    expect(fallback.planTime!.dataSource).not.toBeInstanceOf(other.TerraformDataSource);
    expect(stack.node.children.some((c) => c instanceof TerraformAsset)).toBe(true);
  });
});

it('a tree whose root is no App of either core is refused, naming both cores and the fix', () => {
  const root = new Construct(undefined as never, '');
  const scope = new Construct(root, 'plain');
  expect(() => new ServiceLastAccessedReport(scope, 'report', { arn: failing.arn })).toThrow(CdkCoreError);
  expect(() => coreOf(scope)).toThrow(/cdktf \(.*\) and cdktn \(.*\).*import them from "cdktf" or from "cdktn"/);
});
