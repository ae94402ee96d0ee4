import { attr, text } from './escape';
import { ageDays, type Cell, type CellState, type MatrixModel, type PrincipalRow, type ServiceColumn } from './model';

/** One cell's square: 12 px with a 2 px gap. Pattern tiles have the same pitch, so each cell shows one mark. */
export const PITCH = 14;
const HEADER_HEIGHT = 118;

/** Short CSS classes: a 500 × 150 report has 75,000 cells. */
export const STATE_CLASS: Readonly<Record<CellState, string>> = { used: 'u', unused: 'o', never: 'n', 'no-evidence': 'z' };

export const STATE_LABEL: Readonly<Record<CellState, string>> = {
  used: 'used in the window',
  unused: 'unused beyond the window',
  never: 'never used in the tracking period',
  'no-evidence': 'no evidence',
};

const WHY_LABEL: Readonly<Record<string, string>> = {
  untracked: 'not tracked by access advisor',
  'insufficient-history': 'insufficient history (the principal is younger than the window)',
  'unknown-history': 'unknown history (the principal’s age could not be read)',
  'stale-evidence': 'stale evidence (the report is too old)',
  'not-judged': 'not judged',
  error: 'the report could not be read',
};

/**
 * The shared definitions: one pattern per state (colour + a mark, so the map reads without colour and in greyscale
 * print). Referenced document-wide by `url(#…)`. Not display:none: Chromium does not paint patterns from a
 * display:none SVG.
 */
export function patternDefs(): string {
  const tile = (id: string, fill: string, mark: string) =>
    `<pattern id="${id}" width="${PITCH}" height="${PITCH}" patternUnits="userSpaceOnUse"><rect width="${PITCH}" height="${PITCH}" fill="${fill}"/>${mark}</pattern>`;
  return (
    `<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>` +
    tile('hm-u', '#2166ac', '<path d="M4 7.5l2.2 2.3L10.5 4.6" fill="none" stroke="#fff" stroke-width="1.6"/>') +
    tile('hm-o', '#f1a340', '<path d="M4.5 4.5l5 5M9.5 4.5l-5 5" stroke="#3a2000" stroke-width="1.5"/>') +
    tile('hm-n', '#b2182b', '<circle cx="7" cy="7" r="2.6" fill="none" stroke="#fff" stroke-width="1.4"/>') +
    tile('hm-z', '#e8e8e8', '<path d="M1 13L13 1M-3 5L5 -3M9 17L17 9" stroke="#777" stroke-width="1.1"/>') +
    `</defs></svg>`
  );
}

/**
 * `s3: unused beyond the window; last used 2026-01-02 (330 d ago)`: the cell's <title>. The service's full name is
 * in the column head's title: repeating it 75,000 times would double the file.
 */
export function cellTitle(column: ServiceColumn, cell: Cell, now: Date): string {
  const parts = [`${column.namespace}: ${STATE_LABEL[cell.state]}`];
  if (cell.foldedCount !== undefined) parts.push(`${cell.foldedCount} service(s) of a wildcard-like grant, folded into one column (the details list each)`);
  if (cell.state === 'no-evidence' && cell.why) parts.push(WHY_LABEL[cell.why] ?? cell.why);
  if (cell.lastUsed) {
    const age = ageDays(cell.lastUsed, now);
    parts.push(`last used ${cell.lastUsed.slice(0, 10)}${age !== undefined ? ` (${age} d ago)` : ''}`);
  }
  if (cell.exception !== undefined) parts.push(`kept by exception ${cell.exception.replace(/^allowed by exception /, '')}`);
  if (cell.accepted) parts.push('accepted in the baseline');
  return parts.join('; ');
}

/** The strip of one row: a group labelled by the principal, one titled square per service it is allowed. */
export function rowStrip(row: PrincipalRow, columns: readonly ServiceColumn[], now: Date): string {
  const out: string[] = [
    `<svg class="strip" width="${columns.length * PITCH}" height="${PITCH}" role="group" aria-label="${attr(`${row.label}: services`)}">`,
  ];
  columns.forEach((column, i) => {
    const cell = row.cells.get(column.namespace);
    if (!cell) return;
    const cls = STATE_CLASS[cell.state] + (cell.exception !== undefined ? ' x' : '') + (cell.accepted ? ' a' : '');
    out.push(`<rect x="${i * PITCH + 1}" class="${cls}"><title>${text(cellTitle(column, cell, now))}</title></rect>`);
  });
  out.push('</svg>');
  return out.join('');
}

/** The column heads: service namespaces, rotated, each with its full name and counts in a <title>. */
export function columnHeader(model: MatrixModel): string {
  const counts = new Map<string, Record<CellState, number>>();
  for (const row of model.principals) {
    for (const [ns, cell] of row.cells) {
      let c = counts.get(ns);
      if (!c) counts.set(ns, (c = { used: 0, unused: 0, never: 0, 'no-evidence': 0 }));
      c[cell.state]++;
    }
  }
  const out: string[] = [
    `<svg class="cols" width="${model.services.length * PITCH + 60}" height="${HEADER_HEIGHT}" role="group" aria-label="services, most problems first">`,
  ];
  model.services.forEach((column, i) => {
    const c = counts.get(column.namespace);
    const summary = c
      ? `${c.used} used, ${c.unused} unused beyond the window, ${c.never} never used, ${c['no-evidence']} no evidence`
      : 'no cells';
    const x = i * PITCH + 9;
    out.push(
      `<text transform="translate(${x},${HEADER_HEIGHT - 4}) rotate(-60)">${text(clip(column.namespace, 22))}<title>${text(`${column.namespace} (${column.name}): ${summary}`)}</title></text>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}

/** Long namespaces would run into the page title: the full one is in the <title>. */
function clip(value: string, max: number): string {
  return [...value].length > max ? `${[...value].slice(0, max - 1).join('')}…` : value;
}

/** A legend swatch: the same pattern as the cells, with its text label beside it. */
export function swatch(state: CellState, extraClass = ''): string {
  return `<svg class="sw" width="${PITCH}" height="${PITCH}" aria-hidden="true"><rect x="1" class="${STATE_CLASS[state]}${extraClass}"/></svg>`;
}
