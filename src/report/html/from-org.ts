import { DEFAULT_UNUSED_AFTER_DAYS } from '../../analysis/defaults';
import type { OrganizationsAccessReport } from '../../model/report';
import { byText, classify, type Cell, type MatrixModel, type OrgNode, type PrincipalRow, type ServiceColumn, type ScpProposalView } from './model';

export type { ScpProposalView } from './model';

/** The window an organization report is coloured against: the gate's default (org-report has no window flag). */
export const ORG_WINDOW_DAYS = DEFAULT_UNUSED_AFTER_DAYS;

/**
 * The SCP proposal hook: the CLI passes `analysisScpProposer()` (scp.ts), which shapes `proposeServiceControlPolicy`
 * for the page; without a proposer nothing is proposed and the page says so.
 */
export type ScpProposer = (report: OrganizationsAccessReport) => ScpProposalView | undefined;


export interface OrgModelOptions {
  readonly proposeScp?: ScpProposer;
  /** Names of accounts and OUs by id (Organizations, or a world file): labels show them beside the ids. */
  readonly entityNames?: ReadonlyMap<string, string>;
}

/**
 * An organizations access report as a heat map whose rows are the entity tree under the requested path. The
 * report only names, per service, the entity that used it LAST: the requested entity's row is complete evidence
 * (used / unused / never), a child's row only shows the services whose last use came from its subtree, and a
 * blank there means "not the last user", never "not used".
 */
export function orgModel(report: OrganizationsAccessReport, now: Date, options: OrgModelOptions = {}): MatrixModel {
  const at = Number.isFinite(Date.parse(report.jobCompletionDate)) ? new Date(report.jobCompletionDate) : now;
  const columns = new Map<string, ServiceColumn>();
  for (const d of report.accessDetails) if (!columns.has(d.serviceNamespace)) columns.set(d.serviceNamespace, { namespace: d.serviceNamespace, name: d.serviceName });

  const root = report.entityPath.replace(/\/+$/, '');
  const tree = buildTree(root, report, options.entityNames);
  const rows: PrincipalRow[] = [];
  const walk = (node: OrgNode, depth: number): void => {
    const cells = new Map<string, Cell>();
    for (const d of report.accessDetails) {
      if (depth === 0) cells.set(d.serviceNamespace, classify(d.lastAuthenticatedTime, at, ORG_WINDOW_DAYS, 'sufficient'));
      else if (d.lastAuthenticatedTime && d.entityPath && within(d.entityPath, node.path)) {
        cells.set(d.serviceNamespace, classify(d.lastAuthenticatedTime, at, ORG_WINDOW_DAYS, 'sufficient'));
      }
    }
    const never = depth === 0 ? [...cells.values()].filter((c) => c.state === 'never').length : 0;
    const unused = depth === 0 ? [...cells.values()].filter((c) => c.state === 'unused').length : 0;
    rows.push({
      id: node.path,
      label: node.label,
      verdict: 'pass',
      status: 'sufficient',
      statusReason:
        depth === 0
          ? `report job ${report.jobId} completed ${report.jobCompletionDate}; ${never} service(s) not accessed in the tracking period, ${unused} not in the last ${ORG_WINDOW_DAYS} days`
          : 'shows only the services whose most recent access in the organization came from this entity or below it',
      cells,
      unusedServices: never + unused,
      unusedActions: 0,
      violations: [],
      exceptions: [],
      kept: [],
      services: (depth === 0
        ? report.accessDetails.map((d) => ({ namespace: d.serviceNamespace, name: d.serviceName, lastUsed: d.lastAuthenticatedTime }))
        : node.accessed
      ).map((a) => ({
        namespace: a.namespace,
        name: a.name,
        cell: classify(a.lastUsed, at, ORG_WINDOW_DAYS, 'sufficient'),
      })),
      notes: [],
      depth,
    });
    for (const child of node.children) walk(child, depth + 1);
  };
  walk(tree, 0);

  const notAccessed = report.accessDetails
    .filter((d) => !d.lastAuthenticatedTime)
    .map((d) => ({ namespace: d.serviceNamespace, name: d.serviceName }))
    .sort((a, b) => byText(a.namespace, b.namespace));
  let scp: ScpProposalView | undefined;
  let scpUnavailable: string | undefined;
  if (options.proposeScp) {
    try {
      scp = options.proposeScp(report);
      if (!scp) scpUnavailable = 'no SCP change is proposed for this report';
    } catch (error) {
      scpUnavailable = `no SCP proposal: ${(error as Error).message}`;
    }
  } else {
    scpUnavailable = 'No SCP proposal: the analysis layer of this build has no proposeServiceControlPolicy; the services not accessed above are the candidates to deny.';
  }
  return {
    title: `Organizations access: ${report.entityPath}`,
    facts: [
      ['Entity path', report.entityPath],
      ...(report.organizationsPolicyId ? [['SCP', report.organizationsPolicyId] as const] : []),
      ['Services', `${report.accessDetails.length} allowed, ${report.accessDetails.length - notAccessed.length} accessed, ${notAccessed.length} not accessed`],
      ['Window', `${ORG_WINDOW_DAYS} days before the report (${at.toISOString()})`],
      ['Job', `${report.jobId} (created ${report.jobCreationDate}, completed ${report.jobCompletionDate})`],
    ],
    windowDays: ORG_WINDOW_DAYS,
    now: at.toISOString(),
    rowNoun: 'entity',
    principals: rows,
    services: orgColumns(columns.values(), rows[0]!),
    warnings: [],
    org: {
      entityPath: report.entityPath,
      tree,
      notAccessed,
      accessedCount: report.accessDetails.length - notAccessed.length,
      ...(scp ? { scp } : {}),
      ...(scpUnavailable ? { scpUnavailable } : {}),
    },
  };
}

/**
 * Accessed services first (longest unused first, then by last use), the never-accessed wall last: the entity rows
 * only ever show accessed services, and the never-accessed ones are listed again under the tree.
 */
function orgColumns(columns: Iterable<ServiceColumn>, root: PrincipalRow): ServiceColumn[] {
  const rank = { unused: 0, used: 1, 'no-evidence': 2, never: 3 } as const;
  return [...columns].sort((a, b) => {
    const ca = root.cells.get(a.namespace);
    const cb = root.cells.get(b.namespace);
    return (
      rank[ca?.state ?? 'never'] - rank[cb?.state ?? 'never'] ||
      byText(ca?.lastUsed ?? '', cb?.lastUsed ?? '') ||
      byText(a.namespace, b.namespace)
    );
  });
}

function within(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

/** The requested entity and every entity below it that the report names, as a tree. */
function buildTree(root: string, report: OrganizationsAccessReport, names?: ReadonlyMap<string, string>): OrgNode {
  interface Mutable {
    path: string;
    accessed: { namespace: string; name: string; lastUsed: string; region?: string }[];
    children: Map<string, Mutable>;
  }
  const top: Mutable = { path: root, accessed: [], children: new Map() };
  for (const d of report.accessDetails) {
    if (!d.lastAuthenticatedTime) continue;
    const path = d.entityPath && within(d.entityPath.replace(/\/+$/, ''), root) ? d.entityPath.replace(/\/+$/, '') : root;
    let node = top;
    const rest = path === root ? [] : path.slice(root.length + 1).split('/');
    for (const segment of rest) {
      const childPath = `${node.path}/${segment}`;
      let child = node.children.get(childPath);
      if (!child) node.children.set(childPath, (child = { path: childPath, accessed: [], children: new Map() }));
      node = child;
    }
    node.accessed.push({ namespace: d.serviceNamespace, name: d.serviceName, lastUsed: d.lastAuthenticatedTime, ...(d.region ? { region: d.region } : {}) });
  }
  const freeze = (m: Mutable): OrgNode => ({
    path: m.path,
    label: entityLabel(m.path, names),
    accessed: m.accessed.sort((a, b) => byText(b.lastUsed, a.lastUsed) || byText(a.namespace, b.namespace)),
    children: [...m.children.values()].sort((a, b) => byText(a.path, b.path)).map(freeze),
  });
  return freeze(top);
}

/** `OU Workloads (ou-c3xb-lmu7j2yg)` (`OU ou-c3xb-lmu7j2yg` without a name) for the last segment of an entity path. */
export function entityLabel(path: string, names?: ReadonlyMap<string, string>): string {
  const last = path.split('/').pop() ?? path;
  const name = names?.get(last);
  if (/^\d{12}$/.test(last)) return name ? `account ${name} (${last})` : `account ${last}`;
  if (last.startsWith('ou-')) return name ? `OU ${name} (${last})` : `OU ${last}`;
  if (last.startsWith('r-')) return `root ${last}`;
  if (last.startsWith('o-')) return `organization ${last}`;
  return last;
}
