import { proposeServiceControlPolicy } from '../../analysis/scp-proposal';
import type { ScpProposer } from './from-org';
import { ORG_WINDOW_DAYS } from './from-org';

/** The analysis layer's SCP proposal, shaped for the org-report page's proposal section. */
export function analysisScpProposer(): ScpProposer {
  return (report) => {
    const p = proposeServiceControlPolicy(report, { unusedAfterDays: ORG_WINDOW_DAYS });
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
