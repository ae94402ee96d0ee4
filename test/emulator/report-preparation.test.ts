import { buildWorldModel, type WorldModel } from '../../src/emulator/world-model';
import { loadWorld } from '../../src/emulator/world';
import { ServiceReportComputation, type ReportTarget } from '../../src/emulator/service-report';
import { PreparedServiceReport, ReportPreparations } from '../../src/emulator/service-report-preparation';
import { loadActionCatalog } from '../../src/model/action-catalog';
import { MGMT, arn, testWorld } from './helpers';

const NOW = new Date('2026-06-01T12:00:00Z');
const catalog = loadActionCatalog();
const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';

function model(): WorldModel {
  return buildWorldModel(loadWorld(testWorld()), NOW);
}
const principal = (m: WorldModel, a: string): ReportTarget => ({ kind: 'principal', principal: m.principals.get(a)! });
/** A report computed whole, at once: the reference a prepared one must equal. */
const computedWhole = (...args: ConstructorParameters<typeof ServiceReportComputation>) => new ServiceReportComputation(...args).finish();

describe('a service report prepared while its job runs', () => {
  test('is the world as it was when the job was generated, though computed after the world was written', () => {
    const deployer = arn(MGMT, 'role', 'app-deployer');
    const admin = arn(MGMT, 'user', 'admin');
    const live = model();
    const deployerJob = new ServiceReportComputation(live, catalog, principal(live, deployer), MGMT, true, NOW);
    const policyJob = new ServiceReportComputation(live, catalog, { kind: 'policy', policy: live.policies.get(ADMIN_POLICY)! }, MGMT, true, NOW);
    deployerJob.step(1);
    // What the write operations do (role-write-operations.ts): the principal replaced, a policy gone.
    const role = live.principals.get(deployer)!;
    live.principals.set(deployer, { ...role, attachedPolicies: [], inlinePolicies: new Map() });
    live.principals.set(admin, { ...live.principals.get(admin)!, attachedPolicies: [] });
    live.policies.delete(arn(MGMT, 'policy', 'deployer'));

    const untouched = model();
    expect(deployerJob.finish()).toEqual(computedWhole(untouched, catalog, principal(untouched, deployer), MGMT, true, NOW));
    expect(deployerJob.finish().services.map((s) => s.serviceNamespace)).toEqual(['ec2', 'iam', 'lambda', 'logs', 's3']);
    const policyReport = policyJob.finish();
    expect(policyReport).toEqual(computedWhole(untouched, catalog, { kind: 'policy', policy: untouched.policies.get(ADMIN_POLICY)! }, MGMT, true, NOW));
    expect(policyReport.entities.get('s3')!.map((e) => e.arn)).toEqual([admin]);
    // A report generated after the writes sees them.
    expect(computedWhole(live, catalog, principal(live, deployer), MGMT, true, NOW).services).toEqual([]);
  });

  test('slice by slice it renders the same members as all at once', () => {
    const m = model();
    const target = principal(m, arn(MGMT, 'user', 'admin'));
    const sliced = new PreparedServiceReport(new ServiceReportComputation(m, catalog, target, MGMT, true, NOW));
    let steps = 0;
    while (!sliced.step(3)) steps++;
    const whole = new PreparedServiceReport(new ServiceReportComputation(m, catalog, target, MGMT, true, NOW));
    const members = whole.renderedMembers();
    expect(steps).toBeGreaterThan(100);
    expect(sliced.renderedMembers().length).toBe(members.length);
    expect(sliced.renderedMembers().slice(0, members.length).bytes.equals(members.slice(0, members.length).bytes)).toBe(true);
    expect(sliced.report()).toEqual(whole.report());
  });
});

describe('reports queued for preparation', () => {
  test('are prepared while the emulator only waits (no request comes in to wake it)', async () => {
    const m = model();
    const target = principal(m, arn(MGMT, 'user', 'admin'));
    const preparations = new ReportPreparations();
    // Enough work for many slices of a millisecond: a slice per wake-up would leave most of it undone.
    const reports = Array.from({ length: 40 }, () => new PreparedServiceReport(new ServiceReportComputation(m, catalog, target, MGMT, true, NOW)));
    for (const report of reports) preparations.add(report);
    expect(reports.some((r) => r.ready)).toBe(false);
    // Nothing but this timer keeps the event loop awake, as in an emulator whose jobs are running.
    for (let waited = 0; waited < 5_000 && !reports.every((r) => r.ready); waited += 250) await new Promise((r) => setTimeout(r, 250));
    expect(reports.filter((r) => r.ready)).toHaveLength(reports.length);
  });
});
