import type { OrganizationsAccessReport } from '../../../iam/model';
import type { ScpProposer } from './from-org';
import { ORG_WINDOW_DAYS } from './from-org';

/**
 * The parts of `proposeServiceControlPolicy`'s result (src/analysis, the SCP work) that the page shows, read
 * structurally: this renderer works with or without that function on the branch it is built from.
 */
interface ProposalLike {
  readonly status: string;
  readonly statusReason: string;
  readonly json: readonly string[];
  readonly deniedServices: readonly { readonly service: string; readonly reason: string; readonly lastAuthenticated?: string }[];
  readonly keptServices: readonly { readonly service: string; readonly reason: string; readonly lastAuthenticated?: string }[];
  readonly notes: readonly string[];
  readonly proof?: { readonly holds: boolean };
}

type Propose = (report: OrganizationsAccessReport, options: { unusedAfterDays: number }) => ProposalLike;

/** The analysis layer's SCP proposal as the page's hook, or undefined while src/analysis has none. */
export function analysisScpProposer(): ScpProposer | undefined {
  const analysis = require('../../../analysis') as Record<string, unknown>;
  const propose = analysis.proposeServiceControlPolicy as Propose | undefined;
  if (typeof propose !== 'function') return undefined;
  return (report) => {
    const p = propose(report, { unusedAfterDays: ORG_WINDOW_DAYS });
    return {
      status: p.status,
      statusReason: p.statusReason,
      json: p.json.map((doc) => prettyJson(doc)).join('\n\n'),
      denied: p.deniedServices.map((d) => ({ permission: d.service, reason: d.reason, ...(d.lastAuthenticated ? { lastUsed: d.lastAuthenticated } : {}) })),
      kept: p.keptServices.map((k) => ({ permission: k.service, reason: k.reason, ...(k.lastAuthenticated ? { lastUsed: k.lastAuthenticated } : {}) })),
      notes: [...p.notes, ...(p.proof ? [p.proof.holds ? 'Proof: every used service stays allowed, every denied one is denied.' : 'Proof FAILED: do not apply this proposal.'] : [])],
    };
  };
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
