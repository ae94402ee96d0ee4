import type { ActionCatalog } from '../model/action-catalog';
import { ENTITY_PATH_LENGTH, ENTITY_PATH_PATTERN } from '../model/constraints';
import { invalidInput, noSuchEntity } from './api-error';
import { ActionMatcher, allowMatcher, hardDenyMatcher } from './policy-scope';
import { truncateToMinute } from './time';
import type { PolicyDocument } from './types';
import type { AccessEvent, OrganizationModel, WorldModel } from './world-model';
import { accountsUnder, orgEntityPath, orgLineage } from './world-model';
import { iamServiceName } from './tracked-actions';

/**
 * Organizations access report, following the rules IAM documents for GenerateOrganizationsAccessReport:
 * - root: services the root's SCPs allow; activity of every account except the management account;
 * - OU: SCPs on the OU and its parents; accounts in the OU's subtree;
 * - account: SCPs on the account and its parents; that account only;
 * - management account: every service, only its own activity, policy id ignored;
 * - with an SCP id: services that SCP allows; activity only of accounts (under the entity) the SCP applies to.
 */
export interface AccessDetailRow {
  readonly serviceName: string;
  readonly serviceNamespace: string;
  readonly region?: string;
  readonly entityPath?: string;
  readonly lastAuthenticatedTime?: Date;
  readonly totalAuthenticatedEntities: number;
}

export interface OrgReportSnapshot {
  readonly accessDetails: readonly AccessDetailRow[]; // namespace order
  readonly numberOfServicesAccessible: number;
  readonly numberOfServicesNotAccessed: number;
}

export interface ResolvedEntityPath {
  readonly org: OrganizationModel;
  /** Root, OU or account id the path ends at. */
  readonly target: string;
}

export function validateEntityPathSyntax(entityPath: string): void {
  if (entityPath.length < ENTITY_PATH_LENGTH.min || entityPath.length > ENTITY_PATH_LENGTH.max || !ENTITY_PATH_PATTERN.test(entityPath)) {
    throw invalidInput(
      `EntityPath "${entityPath}" must be ${ENTITY_PATH_LENGTH.min}-${ENTITY_PATH_LENGTH.max} characters matching ^o-[0-9a-z]{10,32}/r-[0-9a-z]{4,32}[0-9a-z-/]*`,
    );
  }
}

/** Walks `o-…/r-…/ou-…/…/account[/]`: every segment must be a child of the one before it. */
export function resolveEntityPath(model: WorldModel, entityPath: string): ResolvedEntityPath {
  const org = model.organization;
  const segments = entityPath.replace(/\/+$/, '').split('/');
  if (!org || segments[0] !== org.id) throw noSuchEntity(`The organization ${segments[0]} does not exist.`);
  if (segments[1] !== org.rootId) throw noSuchEntity(`The root ${segments[1]} does not exist in organization ${org.id}.`);
  let current = org.rootId;
  for (const segment of segments.slice(2)) {
    const node = org.nodes.get(segment);
    if (!node || node.parent !== current) {
      throw noSuchEntity(`The entity path ${entityPath} does not exist: ${segment} is not a child of ${current}.`);
    }
    current = segment;
  }
  return { org, target: current };
}

export function computeOrgReport(
  model: WorldModel,
  catalog: ActionCatalog,
  resolved: ResolvedEntityPath,
  policyId: string | undefined,
  now: Date,
): OrgReportSnapshot {
  const { org, target } = resolved;
  const isManagement = target === org.managementAccountId;
  let namespaces: string[];
  let accounts: string[];
  if (isManagement) {
    namespaces = [...catalog.services()];
    accounts = [org.managementAccountId];
  } else {
    accounts = accountsUnder(org, target).filter((a) => a !== org.managementAccountId);
    if (policyId !== undefined) {
      const scp = org.policies.get(policyId);
      if (!scp) throw noSuchEntity(`The policy ${policyId} does not exist in organization ${org.id}.`);
      namespaces = effectiveServices([[scp.document]], catalog);
      accounts = accounts.filter((a) => orgLineage(org, a).some((node) => scp.targets.includes(node)));
    } else {
      namespaces = effectiveServices(
        orgLineage(org, target).map((node) => (org.policiesByTarget.get(node) ?? []).map((id) => org.policies.get(id)!.document)),
        catalog,
        org.policies.size === 0,
      );
    }
  }

  const windowStart = now.getTime() - model.trackingPeriodDays * 86_400_000;
  const accountSet = new Set(accounts);
  const byService = new Map<string, AccessEvent[]>();
  for (const [principal, events] of model.eventsByPrincipal) {
    if (!accountSet.has(principal.split(':')[4]!)) continue;
    for (const e of events) {
      if (e.time.getTime() <= windowStart || e.time.getTime() > now.getTime()) continue;
      byService.set(e.service, [...(byService.get(e.service) ?? []), e]);
    }
  }

  let notAccessed = 0;
  const accessDetails = namespaces.map((namespace): AccessDetailRow => {
    const events = byService.get(namespace);
    const base = { serviceName: iamServiceName(catalog, namespace), serviceNamespace: namespace };
    if (!events || events.length === 0) {
      notAccessed++;
      return { ...base, totalAuthenticatedEntities: 0 };
    }
    const latest = events.reduce((a, b) => (b.time.getTime() > a.time.getTime() ? b : a));
    return {
      ...base,
      region: latest.region,
      entityPath: orgEntityPath(org, latest.account),
      lastAuthenticatedTime: truncateToMinute(latest.time),
      totalAuthenticatedEntities: new Set(events.map((e) => e.account)).size,
    };
  });
  return { accessDetails, numberOfServicesAccessible: namespaces.length, numberOfServicesNotAccessed: notAccessed };
}

/**
 * Services reachable through a chain of SCP levels (root → … → target): an action is allowed when every level
 * has an SCP allowing it and no level denies it unconditionally. A level with no SCP allows nothing, as in AWS;
 * an organization declaring no SCP at all is treated as FullAWSAccess everywhere.
 */
function effectiveServices(levels: readonly (readonly PolicyDocument[])[], catalog: ActionCatalog, noScps = false): string[] {
  if (noScps) return [...catalog.services()];
  const allows = levels.map((docs) => allowMatcher(docs));
  const denies: ActionMatcher[] = levels.map((docs) => hardDenyMatcher(docs));
  if (allows.some((m) => m.isEmpty)) return [];
  const found: string[] = [];
  for (const namespace of catalog.services()) {
    if (!allows.every((m) => m.candidateServices([namespace]).length > 0)) continue;
    if (allows.every((m) => m.grantsWholeService(namespace)) && denies.every((d) => d.isEmpty)) {
      found.push(namespace);
      continue;
    }
    const ok = catalog
      .actions(namespace)
      .some((a) => allows.every((m) => m.matches(namespace, a)) && !denies.some((d) => d.matches(namespace, a)));
    if (ok) found.push(namespace);
  }
  return found;
}
