import type { ProposedScpDocument, ScpStyle } from './scp-types';
import type { PolicyDocument } from './types';

/** IAM's limit on one SCP document, counted on the text as sent (we send it minified). */
export const SCP_MAX_CHARACTERS = 5120;
/** IAM's limit on SCPs attached to one root, OU or account. */
export const SCP_MAX_PER_TARGET = 5;

/**
 * Packs whole-service statements (`svc:*`) into as few documents as fit SCP_MAX_CHARACTERS each, in sorted order.
 * Several deny-lists at one target deny the union; several allow-lists allow the union: splitting changes nothing.
 */
export function packScpDocuments(services: readonly string[], style: ScpStyle, sidBase: string): ProposedScpDocument[] {
  const sorted = [...new Set(services)].sort();
  if (sorted.length === 0) return [];
  const groups: string[][] = [];
  let current: string[] = [];
  for (const service of sorted) {
    const candidate = [...current, service];
    if (current.length > 0 && minified(build(candidate, style, sidFor(sidBase, groups.length + 1, true))).length > SCP_MAX_CHARACTERS) {
      groups.push(current);
      current = [service];
    } else {
      current = candidate;
    }
  }
  groups.push(current);
  const split = groups.length > 1;
  return groups.map((group, i) => {
    const sid = sidFor(sidBase, i + 1, split);
    const document = build(group, style, sid);
    const json = minified(document);
    return { sid, document, json, characters: json.length, services: group };
  });
}

function build(services: readonly string[], style: ScpStyle, sid: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: sid, Effect: style === 'deny-list' ? 'Deny' : 'Allow', Action: services.map((s) => `${s}:*`), Resource: '*' }],
  };
}

function sidFor(base: string, index: number, split: boolean): string {
  return split ? `${base}Part${index}` : base;
}

function minified(document: PolicyDocument): string {
  return JSON.stringify(document);
}
