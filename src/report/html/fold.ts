import type { Cell, MatrixModel, PrincipalRow, ServiceColumn } from './model';

/**
 * A principal allowed more never-used services than this holds a wildcard-like grant (`*`, AdministratorAccess, a
 * broad NotAction): hundreds of columns that all say "never". Their columns fold into one.
 */
export const BROAD_GRANT_NEVER_USED = 50;

/** The namespace of the folded column: no IAM service has it. */
export const FOLDED_NAMESPACE = 'never-used';

/**
 * Folds the columns of services that no principal of the page used, and that only broadly-granted principals are
 * allowed, into one `never-used` column (an admin role's 450 columns become one). A service that a narrowly-granted
 * principal is allowed and never used keeps its own column: that is the finding a reviewer looks for. Cells with
 * an exception or a baseline acceptance are never folded. The rows' drill-downs keep every service.
 */
export function foldNeverUsed(model: MatrixModel): MatrixModel {
  const neverCount = new Map<string, number>();
  for (const row of model.principals) neverCount.set(row.id, [...row.cells.values()].filter((c) => c.state === 'never').length);
  const foldable = model.services.filter((column) =>
    model.principals.every((row) => {
      const cell = row.cells.get(column.namespace);
      if (!cell) return true;
      return cell.state === 'never' && cell.exception === undefined && !cell.accepted && (neverCount.get(row.id) ?? 0) > BROAD_GRANT_NEVER_USED;
    }),
  );
  if (foldable.length < 2) return model;
  const folded = new Set(foldable.map((c) => c.namespace));
  const names = foldable.map((c) => c.namespace);
  const column: ServiceColumn = {
    namespace: FOLDED_NAMESPACE,
    name:
      `${names.length} services no principal here used, allowed only to principals with more than ${BROAD_GRANT_NEVER_USED} never-used services ` +
      `(wildcard grants such as "*"): ${names.slice(0, 40).join(', ')}${names.length > 40 ? `, … (+${names.length - 40} more; each principal's details list every one)` : ''}`,
    folded: names,
  };
  const principals: PrincipalRow[] = model.principals.map((row) => {
    const inFold = [...row.cells.keys()].filter((ns) => folded.has(ns));
    if (inFold.length === 0) return row;
    const cells = new Map<string, Cell>([...row.cells].filter(([ns]) => !folded.has(ns)));
    cells.set(FOLDED_NAMESPACE, { state: 'never', foldedCount: inFold.length });
    return { ...row, cells };
  });
  return { ...model, principals, services: [...model.services.filter((c) => !folded.has(c.namespace)), column] };
}
