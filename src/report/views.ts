import type {
  AccessReport,
  OrganizationsAccessReport,
  PoliciesGrantingServiceAccessResult,
  ServiceLastAccessedReport,
} from '../model/report';
import { namesWithMore, violationsByService } from '../analysis/format';
import type { SweepResult } from '../sweep/types';
import type { GateResult } from './gate-result';
import type { Doc, Section } from './document';

/** Turns a command result (or any JSON value left by --query) into documents for table/markdown output. */
export function toDocs(value: unknown, now: Date = new Date()): Doc[] {
  if (Array.isArray(value) && value.length > 0 && value.every(isKnownResult)) return value.flatMap((v) => toDocs(v, now));
  if (isKnownResult(value)) {
    switch (value.kind) {
      case 'service-last-accessed':
        return [serviceReportDoc(value as ServiceLastAccessedReport, now)];
      case 'organizations-access':
        return [orgReportDoc(value as OrganizationsAccessReport, now)];
      case 'policies-granting-service-access':
        return [policiesGrantingDoc(value as PoliciesGrantingServiceAccessResult)];
      case 'least-privilege-gate':
        return [gateDoc(value as GateResult, now)];
      case 'access-advisor-sweep':
        return [sweepDoc(value as SweepResult)];
    }
  }
  return [genericDoc(value)];
}

const KNOWN_KINDS = new Set([
  'service-last-accessed',
  'organizations-access',
  'policies-granting-service-access',
  'least-privilege-gate',
  'access-advisor-sweep',
]);

function isKnownResult(value: unknown): value is { kind: string } {
  return typeof value === 'object' && value !== null && KNOWN_KINDS.has((value as { kind?: unknown }).kind as string);
}

/** `2024-05-01T10:00:00Z (12 days ago)`; `never` for a missing date. */
export function when(iso: string | undefined, now: Date): string {
  if (!iso) return 'never';
  const days = Math.floor((now.getTime() - Date.parse(iso)) / 86_400_000);
  if (!Number.isFinite(days)) return iso;
  return `${iso} (${days <= 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`})`;
}

function jobLines(report: AccessReport): string[] {
  return [`Job: ${report.jobId} (${report.jobStatus}, created ${report.jobCreationDate}, completed ${report.jobCompletionDate})`];
}

function serviceReportDoc(report: ServiceLastAccessedReport, now: Date): Doc {
  const services = report.servicesLastAccessed;
  const used = services.filter((s) => s.lastAuthenticated).length;
  const sections: Section[] = [
    {
      lines: [
        `Principal: ${report.arn}`,
        `Granularity: ${report.granularity}${report.withEntities ? ', with entities' : ''}`,
        ...jobLines(report),
        `Services: ${services.length} allowed, ${used} used in the tracking window, ${services.length - used} never used`,
      ],
    },
    {
      title: 'Services',
      table: {
        columns: ['Namespace', 'Service', 'Last authenticated', 'By', 'Region', 'Entities'],
        rows: services.map((s) => [
          s.serviceNamespace,
          s.serviceName,
          when(s.lastAuthenticated, now),
          s.lastAuthenticatedEntity ?? '',
          s.lastAuthenticatedRegion ?? '',
          s.totalAuthenticatedEntities === undefined ? '' : String(s.totalAuthenticatedEntities),
        ]),
      },
      empty: 'No service is allowed by this principal’s policies.',
    },
  ];
  if (report.granularity === 'ACTION_LEVEL') {
    // Hundreds of never-used actions would bury the few used ones: list those, count the rest (json has all).
    const tracked = services.flatMap((s) => (s.trackedActionsLastAccessed ?? []).map((a) => ({ s, a })));
    const accessed = tracked.filter(({ a }) => a.lastAccessedTime);
    sections.push({
      title: 'Tracked actions used in the tracking window',
      lines: [`${accessed.length} of ${tracked.length} tracked actions used; the other ${tracked.length - accessed.length} were not.`],
      table: {
        columns: ['Action', 'Last accessed', 'By', 'Region'],
        rows: accessed.map(({ s, a }) => [
          `${s.serviceNamespace}:${a.actionName}`,
          when(a.lastAccessedTime, now),
          a.lastAccessedEntity ?? '',
          a.lastAccessedRegion ?? '',
        ]),
      },
      empty: tracked.length ? 'No tracked action was used.' : 'No action-level data (no allowed service is tracked at action level).',
    });
  }
  if (report.withEntities) {
    sections.push({
      title: 'Entities',
      table: {
        columns: ['Namespace', 'Entity', 'Type', 'Last authenticated'],
        rows: services.flatMap((s) =>
          (s.entities ?? []).map((e) => [s.serviceNamespace, e.entityInfo.arn, e.entityInfo.type, when(e.lastAuthenticated, now)]),
        ),
      },
      empty: 'No entity used any service.',
    });
  }
  return { title: `Service last accessed: ${report.arn}`, sections };
}

function orgReportDoc(report: OrganizationsAccessReport, now: Date): Doc {
  const lines = [`Entity path: ${report.entityPath}`];
  if (report.organizationsPolicyId) lines.push(`SCP: ${report.organizationsPolicyId}`);
  if (report.sortKey) lines.push(`Sort: ${report.sortKey}`);
  lines.push(...jobLines(report));
  if (report.numberOfServicesAccessible !== undefined) {
    lines.push(`Services: ${report.numberOfServicesAccessible} accessible, ${report.numberOfServicesNotAccessed ?? 0} not accessed`);
  }
  return {
    title: `Organizations access: ${report.entityPath}`,
    sections: [
      { lines },
      {
        title: 'Access details',
        table: {
          columns: ['Namespace', 'Service', 'Last authenticated', 'Entity path', 'Region', 'Accounts'],
          rows: report.accessDetails.map((d) => [
            d.serviceNamespace,
            d.serviceName,
            when(d.lastAuthenticatedTime, now),
            d.entityPath ?? '',
            d.region ?? '',
            d.totalAuthenticatedEntities === undefined ? '' : String(d.totalAuthenticatedEntities),
          ]),
        },
        empty: 'No service is allowed on this entity.',
      },
    ],
  };
}

function policiesGrantingDoc(result: PoliciesGrantingServiceAccessResult): Doc {
  return {
    title: `Policies granting service access: ${result.arn}`,
    sections: [
      {
        table: {
          columns: ['Namespace', 'Policy', 'Type', 'Policy ARN', 'Attached to'],
          rows: result.policiesGrantingServiceAccess.flatMap((entry) =>
            entry.policies.length === 0
              ? [[entry.serviceNamespace, '(none)', '', '', '']]
              : entry.policies.map((p) => [
                  entry.serviceNamespace,
                  p.policyName,
                  p.policyType,
                  p.policyArn ?? '',
                  p.entityType ? `${p.entityType} ${p.entityName ?? ''}`.trim() : '',
                ]),
          ),
        },
      },
    ],
  };
}

/** Action names one gate table cell lists before "(+N more)". */
const GATE_ACTIONS_PER_CELL = 6;
/** Whole unused services listed one per row before the rest are named in one row. */
const GATE_WHOLE_SERVICE_ROWS = 20;

function gateDoc(result: GateResult, now: Date): Doc {
  const lines = [
    `Unused after: ${result.unusedAfterDays} days`,
    `Principals: ${result.principals.length}, failing: ${result.principals.filter((p) => !p.passed).length}`,
  ];
  if (result.baseline) lines.push(`Baseline: ${result.baseline}${result.accepted ? ' (current state accepted)' : ''}`);
  lines.push(result.policies?.length ? `Judged: the policies the principal will hold (${result.policies.join(', ')})` : 'Judged: what IAM grants today');
  const sections: Section[] = [
    { lines },
    {
      title: 'Principals',
      table: {
        columns: ['Principal', 'Result', 'Evidence', 'Unused services', 'Unused actions', ...(result.baseline ? ['New', 'Accepted', 'Resolved'] : [])],
        rows: result.principals.map((p) => [
          p.arn,
          p.error ? 'ERROR' : p.passed ? 'pass' : 'FAIL',
          p.error ? p.error.message : evidenceCell(p.status, p.statusReason),
          String(p.unusedServices.length),
          String(p.unusedActions.length),
          ...(result.baseline
            ? [String(p.drift?.newUnused.length ?? 0), String(p.drift?.acceptedUnused.length ?? 0), String(p.drift?.resolved.length ?? 0)]
            : []),
        ]),
      },
    },
  ];
  for (const p of result.principals) {
    // Services first: one row per service, its unused actions in one capped cell (json output has every one).
    const rows = violationsByService({ unusedAfterDays: result.unusedAfterDays, findings: p.violations });
    const label = result.baseline ? 'New unused' : 'Unused';
    if (rows.length) {
      // An admin role has hundreds of unused services: show the first ones, then one row naming the rest, then
      // every used service with unused actions (few: one per used service).
      const whole = rows.filter((r) => r.wholeService);
      const partial = rows.filter((r) => !r.wholeService);
      const shown = whole.slice(0, GATE_WHOLE_SERVICE_ROWS);
      const rest = whole.slice(GATE_WHOLE_SERVICE_ROWS);
      sections.push({
        title: `${label} permissions of ${p.arn}, by service`,
        table: {
          columns: ['Service', 'Unused', 'Last used', 'Why'],
          rows: [
            ...shown.map((r) => [r.service, 'whole service', when(r.lastUsed, now), r.reason]),
            ...(rest.length
              ? [[`(+${rest.length} more)`, 'whole service', '', `${namesWithMore(rest.map((r) => r.service), 12)}; --output json lists every one`]]
              : []),
            ...partial.map((r) => [
              r.service,
              `${r.actions.length} action(s): ${namesWithMore(r.actions, GATE_ACTIONS_PER_CELL)}`,
              when(r.lastUsed, now),
              r.reason,
            ]),
          ],
        },
      });
    }
    if (p.allowedByException.length) {
      // What the exceptions let through, with their reasons: a reviewer judges the reasons, not only the verdict.
      sections.push({
        title: `Accepted exceptions of ${p.arn} (${p.allowedByException.length})`,
        table: {
          columns: ['Permission', 'Last used', 'Why accepted'],
          rows: p.allowedByException.map((f) => [f.permission, when(f.lastUsed, now), f.reason]),
        },
      });
    }
    if (p.notGranted?.length) {
      sections.push({ lines: [`Not granted by the judged policies, so not violations (${p.notGranted.length}): ${namesWithMore(p.notGranted, 10)}`] });
    }
  }
  const title = `${result.passed ? '✅' : '❌'} access-advisor gate ${result.passed ? 'passed' : 'failed'}`;
  return { title, sections };
}

/**
 * The evidence column: the status, then its reason without saying the status twice (the reasons of the analysis
 * begin with it: "insufficient history: … was created …").
 */
function evidenceCell(status: string | undefined, reason: string | undefined): string {
  if (status === undefined || status === 'sufficient') return status ?? '';
  const label = status.replace(/-/g, ' ');
  const text = (reason ?? '').trim();
  if (text === '') return label;
  return text.toLowerCase().startsWith(label) ? text : `${label}: ${text}`;
}

/** Any JSON value, e.g. what --query left: arrays of objects as a table, objects as key/value rows. */
function genericDoc(value: unknown): Doc {
  const cell = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
      const columns = [...new Set(value.flatMap((v) => Object.keys(v as object)))];
      return {
        title: 'Result',
        sections: [{ table: { columns, rows: value.map((v) => columns.map((c) => cell((v as Record<string, unknown>)[c]))) } }],
      };
    }
    return { title: 'Result', sections: [{ table: { columns: ['Value'], rows: value.map((v) => [cell(v)]) }, empty: '(empty list)' }] };
  }
  if (typeof value === 'object' && value !== null) {
    return {
      title: 'Result',
      sections: [{ table: { columns: ['Key', 'Value'], rows: Object.entries(value).map(([k, v]) => [k, cell(v)]) } }],
    };
  }
  return { title: 'Result', sections: [{ lines: [cell(value)] }] };
}

/** A sweep: totals, one row per account, then the principals that fail (unused or new unused) and the failures. */
function sweepDoc(result: SweepResult): Doc {
  const t = result.totals;
  const lines = [
    `Generated: ${result.generatedAt}${result.shard ? ` (shard ${result.shard.index}/${result.shard.count})` : ''}`,
    `Accounts: ${t.accounts} (${t.accountsFailed} failed); principals: ${t.principals} (${t.principalsFailed} failed, ${t.principalsNotJudged} not judged)`,
    `Unused: ${t.unusedServices} services and ${t.unusedActions} tracked actions over ${t.principalsWithUnused} principal(s)`,
  ];
  if (result.baseline) {
    lines.push(`Baseline: ${result.baseline.file}${result.baseline.accepted ? ' (current state accepted)' : ''}`);
  }
  if (result.drift) lines.push(`Drift: ${result.drift.passed ? 'pass' : 'FAIL'}, ${result.drift.newUnused} newly unused permission(s)`);
  const newByArn = new Map((result.drift?.principals ?? []).map((p) => [p.arn, p.newUnused.length]));
  const principals = result.accounts.flatMap((a) => a.principals.map((p) => ({ a, p })));
  const flagged = principals.filter(({ p }) =>
    result.drift ? (newByArn.get(p.arn) ?? 0) > 0 : p.decision?.status === 'sufficient' && p.decision.unusedServices.length + p.decision.unusedActions.length > 0,
  );
  const failures = [
    ...result.accounts.filter((a) => a.error).map((a) => [a.accountId, a.error!.code, a.error!.message]),
    ...principals.filter(({ p }) => p.error).map(({ p }) => [p.arn, p.error!.code, p.error!.message]),
  ];
  return {
    title: 'Access advisor sweep',
    sections: [
      { lines },
      {
        title: 'Accounts',
        table: {
          columns: ['Account', 'Name', 'Status', 'Principals', 'Failed', 'With unused'],
          rows: result.accounts.map((a) => [
            a.accountId,
            a.name ?? '',
            a.status === 'ok' ? 'ok' : `FAILED: ${a.error?.code ?? ''}`,
            String(a.principals.length),
            String(a.principals.filter((p) => p.status === 'failed').length),
            String(a.principals.filter((p) => p.decision?.status === 'sufficient' && p.decision.unusedServices.length + p.decision.unusedActions.length > 0).length),
          ]),
        },
      },
      {
        title: result.drift ? 'Principals with newly unused permissions' : 'Principals with unused permissions',
        table: {
          columns: ['Principal', 'Kind', 'Unused services', 'Unused actions', ...(result.drift ? ['New'] : [])],
          rows: flagged.map(({ p }) => [
            p.arn,
            p.kind,
            listSome(p.decision!.unusedServices, 6),
            String(p.decision!.unusedActions.length),
            ...(result.drift ? [String(newByArn.get(p.arn) ?? 0)] : []),
          ]),
        },
        empty: result.drift ? 'Nothing new is unused.' : 'No principal has unused permissions.',
      },
      { title: 'Failures', table: { columns: ['Account or principal', 'Code', 'Error'], rows: failures }, empty: 'None.' },
    ],
  };
}

/** The first `max` items and how many more: a role with AdministratorAccess leaves hundreds of services unused. */
function listSome(items: readonly string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} … (+${items.length - max})`;
}
