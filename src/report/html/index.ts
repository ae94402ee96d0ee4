import type { OrganizationsAccessReport } from '../../model/report';
import { AccessAdvisorError, type ErrorKind } from '../../model/errors';
import type { GateResult } from '../gate-result';
import { gateModel } from './from-gate';
import { orgModel, type OrgModelOptions } from './from-org';
import type { SweepResult } from '../../sweep/types';
import { sweepModel } from './from-sweep';
import { tightenModel, type TightenResultLike } from './from-tighten';
import { HTML_COMMANDS, HTML_KINDS } from './kinds';
import type { MatrixModel } from './model';
import { renderPage } from './page';

/** A value `--output html` cannot draw: an input error, reported as one line (exit status 2). */
export class HtmlInputError extends AccessAdvisorError {
  readonly kind: ErrorKind = 'input';
}

export interface HtmlOptions extends OrgModelOptions {
  readonly now?: Date;
  /** `access-advisor 0.1.0`, in the footer and the generator meta tag. */
  readonly generator?: string;
}

/** The heat-map model of a command result; a bad input error for anything else. */
export function toMatrixModel(value: unknown, options: HtmlOptions = {}): MatrixModel {
  const now = options.now ?? new Date();
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  switch (kind) {
    case 'least-privilege-gate':
      return gateModel(value as GateResult, now);
    case 'access-advisor-sweep':
      return sweepModel(value as SweepResult, now);
    case 'organizations-access':
      return orgModel(value as OrganizationsAccessReport, now, options);
    case 'tightened-policy':
      return tightenModel(value as TightenResultLike, now);
    default:
      throw new HtmlInputError(
        `--output html: draws the results of ${HTML_COMMANDS.join(', ')} (kind ${HTML_KINDS.join(', ')}), not ${kind === undefined ? 'this value' : JSON.stringify(kind)}`,
      );
  }
}

/** One self-contained HTML document for a gate, sweep or organizations result. */
export function renderHtml(value: unknown, options: HtmlOptions = {}): string {
  return renderPage(toMatrixModel(value, options), options.generator ?? 'access-advisor');
}
