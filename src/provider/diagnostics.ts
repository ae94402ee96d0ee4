/** Terraform diagnostics as the plugin protocol carries them: Terraform prints them with the block's source location. */
export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  summary: string;
  detail: string;
  attribute?: { steps: ({ attribute_name: string } | { element_key_int: number } | { element_key_string: string })[] };
}

/** A path such as ['assume_role', 'role_arn'] or ['exceptions', 0, 'reason'] as the protocol's attribute steps. */
export function attributePath(path: readonly (string | number)[]): Diagnostic['attribute'] {
  return { steps: path.map((step) => (typeof step === 'number' ? { element_key_int: step } : { attribute_name: step })) };
}

export function errorDiagnostic(summary: string, detail: string, path?: readonly (string | number)[]): Diagnostic {
  return { severity: 'ERROR', summary, detail, ...(path && path.length ? { attribute: attributePath(path) } : {}) };
}

/** An input problem found while reading a configuration: where it is, and what is wrong. */
export class ConfigProblem extends Error {
  constructor(
    readonly path: readonly (string | number)[],
    readonly summary: string,
    detail: string,
  ) {
    super(detail);
  }
  toDiagnostic(): Diagnostic {
    return errorDiagnostic(this.summary, this.message, this.path);
  }
}
