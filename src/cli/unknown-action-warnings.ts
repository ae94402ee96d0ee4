import type { PermissionException } from '../analysis/types';
import type { CliContext } from './context';

/**
 * Warns on stderr (one line each) about actions of the given policy documents and exceptions that the IAM action
 * catalog does not know, naming the closest known one: `s3:GetObjekt` would otherwise pass silently. Warnings only:
 * the decision is unchanged, and the exit status too.
 */
export function warnUnknownActions(ctx: CliContext, documents: readonly unknown[], exceptions: readonly PermissionException[] = []): void {
  const actions: string[] = [];
  for (const document of documents) {
    const statements = (document as { Statement?: unknown } | null)?.Statement;
    for (const statement of Array.isArray(statements) ? statements : statements === undefined ? [] : [statements]) {
      for (const key of ['Action', 'NotAction'] as const) {
        const value = (statement as Record<string, unknown> | null)?.[key];
        for (const action of Array.isArray(value) ? value : [value]) if (typeof action === 'string') actions.push(action);
      }
    }
  }
  // An exception names a service (`ec2`) or an action (`ec2:DescribeImages`): a bare service is checked as `ec2:*`.
  actions.push(...exceptions.map((e) => (e.permission.includes(':') ? e.permission : `${e.permission}:*`)));
  if (actions.length === 0) return;
  const { loadActionCatalog } = require('../model/action-catalog') as typeof import('../model/action-catalog');
  const { findUnknownActions, describeUnknownAction } = require('../analysis/unknown-actions') as typeof import('../analysis/unknown-actions');
  const catalog = loadActionCatalog();
  for (const unknown of findUnknownActions(actions, catalog)) {
    const line = describeUnknownAction(unknown, catalog.version);
    ctx.log(`access-advisor: warning: ${unknown.action.endsWith(':*') && !documentsMention(documents, unknown.action) ? line.replace(/:\*/g, '') : line}`);
  }
}

function documentsMention(documents: readonly unknown[], action: string): boolean {
  return JSON.stringify(documents).includes(JSON.stringify(action));
}
