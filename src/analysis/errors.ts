import { AccessAdvisorError, type ErrorKind } from '../model/errors';

/**
 * Bad analysis input (a policy document, an exception, a baseline file, an option): names where it came from,
 * the field, the value and what is allowed.
 */
export class AnalysisInputError extends AccessAdvisorError {
  readonly kind: ErrorKind = 'input';
  constructor(
    readonly source: string,
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${source}: ${field}: ${describeValue(value)} is not allowed; expected ${allowed}`);
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined (missing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
