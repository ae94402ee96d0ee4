import { visible, visibleCode } from '../model/visible-text';

export { visible, visibleCode };

/**
 * A small document model that both human formats render from: `--output table` (plain text for terminals and
 * logs) and `--output markdown` (GitHub-flavoured, for PR comments and $GITHUB_STEP_SUMMARY). Our cells are ARNs,
 * namespaces and ISO dates, so a hand-written renderer covers them with no dependency and no startup cost.
 */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface Section {
  readonly title?: string;
  /** Short facts shown before the table (`key: value` lines, or sentences). */
  readonly lines?: readonly string[];
  readonly table?: Table;
  /** Shown when the table has no rows. */
  readonly empty?: string;
  /** A fenced code block (markdown) or indented text (table). */
  readonly code?: { readonly language: string; readonly text: string };
}

export interface Doc {
  readonly title: string;
  readonly sections: readonly Section[];
}

export interface Style {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
}

export const PLAIN: Style = { bold: (t) => t, dim: (t) => t };
export const ANSI: Style = {
  bold: (t) => `\u001b[1m${t}\u001b[22m`,
  dim: (t) => `\u001b[2m${t}\u001b[22m`,
};

function visibleDoc(doc: Doc): Doc {
  return {
    ...doc,
    title: visible(doc.title),
    sections: doc.sections.map((section) => ({
      ...section,
      ...(section.title !== undefined ? { title: visible(section.title) } : {}),
      ...(section.lines ? { lines: section.lines.map(visible) } : {}),
      ...(section.empty !== undefined ? { empty: visible(section.empty) } : {}),
      ...(section.table
        ? { table: { columns: section.table.columns.map(visible), rows: section.table.rows.map((r) => r.map(visible)) } }
        : {}),
      ...(section.code ? { code: { ...section.code, text: visibleCode(section.code.text) } } : {}),
    })),
  };
}

export function renderText(unsafeDocs: readonly Doc[], style: Style = PLAIN): string {
  const docs = unsafeDocs.map(visibleDoc);
  const out: string[] = [];
  for (const doc of docs) {
    if (out.length) out.push('');
    out.push(style.bold(doc.title));
    for (const section of doc.sections) {
      out.push('');
      if (section.title) out.push(style.bold(section.title));
      for (const line of section.lines ?? []) out.push(line);
      if (section.table) {
        if (section.table.rows.length === 0) out.push(style.dim(section.empty ?? '(none)'));
        else out.push(...textTable(section.table, style));
      }
      if (section.code) out.push(...section.code.text.split('\n').map((l) => `  ${l}`));
    }
  }
  return `${out.join('\n')}\n`;
}

/** A text cell wider than this wraps onto more lines (at spaces when it can): no row is thousands of columns wide. */
export const MAX_CELL_WIDTH = 72;

function textTable(table: Table, style: Style): string[] {
  const wrapped = table.rows.map((r) => table.columns.map((_, i) => wrap(r[i] ?? '', MAX_CELL_WIDTH)));
  const widths = table.columns.map((c, i) => Math.max(width(c), ...wrapped.map((r) => Math.max(...r[i]!.map(width)))));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: readonly string[], paint: (t: string) => string = (t) => t) =>
    `|${widths.map((w, i) => ` ${paint(pad(cells[i] ?? '', w))} `).join('|')}|`;
  const rowLines = (cells: readonly (readonly string[])[]) => {
    const height = Math.max(...cells.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => line(cells.map((c) => c[k] ?? '')));
  };
  return [rule, line(table.columns, style.bold), rule, ...wrapped.flatMap(rowLines), rule];
}

/** Splits a cell into lines of at most `max` characters, breaking after a space or comma when one is near. */
export function wrap(text: string, max: number): string[] {
  const chars = [...text];
  if (chars.length <= max) return [text];
  const out: string[] = [];
  let rest = chars;
  while (rest.length > max) {
    let cut = max;
    for (let k = max; k > max / 2; k--) {
      if (rest[k - 1] === ' ') {
        cut = k;
        break;
      }
    }
    out.push(rest.slice(0, cut).join('').trimEnd());
    rest = rest.slice(cut);
  }
  if (rest.length) out.push(rest.join(''));
  return out;
}

function width(text: string): number {
  return [...text].length;
}

function pad(text: string, w: number): string {
  return text + ' '.repeat(Math.max(0, w - width(text)));
}

export function renderMarkdown(unsafeDocs: readonly Doc[]): string {
  const docs = unsafeDocs.map(visibleDoc);
  const out: string[] = [];
  for (const doc of docs) {
    if (out.length) out.push('');
    out.push(`### ${doc.title}`);
    for (const section of doc.sections) {
      out.push('');
      if (section.title) out.push(`#### ${section.title}`, '');
      if (section.lines?.length) {
        out.push(...section.lines.map((l) => `- ${escapeInline(l)}`));
        if (section.table || section.code) out.push('');
      }
      if (section.table) {
        if (section.table.rows.length === 0) out.push(`_${escapeInline(section.empty ?? 'none')}_`);
        else {
          out.push(`| ${section.table.columns.map(escapeCell).join(' | ')} |`);
          out.push(`| ${section.table.columns.map(() => '---').join(' | ')} |`);
          for (const row of section.table.rows) out.push(`| ${section.table.columns.map((_, i) => escapeCell(row[i] ?? '')).join(' | ')} |`);
        }
      }
      if (section.code) {
        const fence = section.code.text.includes('```') ? '~~~~' : '```';
        out.push(`${fence}${section.code.language}`, section.code.text, fence);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

/** Table cells: a pipe would end the cell and a newline the row. */
function escapeCell(text: string): string {
  return escapeInline(text).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Keep user data from turning into markup (HTML tags, emphasis) in a PR comment. */
function escapeInline(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}
