/**
 * A resolved configuration value written as an HCL native-syntax expression with the meaning Terraform's JSON syntax
 * gives the same value, for `cdktf synth --hcl` (and cdktn's). In JSON syntax every string is a template: `${…}`
 * interpolations and `%{…}` directives are evaluated, `$${` and `%%{` are escapes, and everything else is literal
 * text. A native quoted template has the same template language, but its literal text needs backslash escapes. So
 * literal text is escaped and template sequences are copied as they are: a token's `${data.x.arn}` stays a
 * reference, `"` or `\` in a reason stays that character, and a multi-line error message stays one string.
 *
 * The core's own HCL renderer guesses a type from the value before tokens are resolved and escapes only quotes
 * (backslashes, newlines and quotes next to an interpolation break it), so this package renders its own values.
 */
export function hclExpression(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return hclTemplate(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} in HCL: not a finite number`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(hclExpression).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${hclTemplate(k)} = ${hclExpression(v)}`).join(', ')}}`;
  }
  throw new Error(`cannot write a ${typeof value} in HCL`);
}

/** A string as a quoted HCL template: literal text escaped, `${…}` / `%{…}` sequences kept. */
export function hclTemplate(text: string): string {
  let out = '"';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if ((ch === '$' || ch === '%') && next === ch && text[i + 2] === '{') {
      // `$${` / `%%{`: the template escape for a literal `${` / `%{`, the same in both syntaxes.
      out += text.slice(i, i + 3);
      i += 3;
      continue;
    }
    if ((ch === '$' || ch === '%') && next === '{') {
      const end = sequenceEnd(text, i + 2);
      if (end === undefined) {
        // Unterminated: Terraform rejects it in JSON too; escaped here it fails in the same place with a clear error.
        out += text.slice(i);
        break;
      }
      out += text.slice(i, end);
      i = end;
      continue;
    }
    out += escapeLiteral(ch);
    i++;
  }
  return `${out}"`;
}

function escapeLiteral(ch: string): string {
  switch (ch) {
    case '\\':
      return '\\\\';
    case '"':
      return '\\"';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default: {
      const code = ch.charCodeAt(0);
      return code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
    }
  }
}

/**
 * Where the template sequence whose body starts at `start` (just after `${` or `%{`) ends: the index after its
 * closing brace, skipping nested braces and quoted strings (which may hold templates of their own).
 */
function sequenceEnd(text: string, start: number): number | undefined {
  let depth = 1;
  let i = start;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const closed = quotedEnd(text, i + 1);
      if (closed === undefined) return undefined;
      i = closed;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i + 1;
    i++;
  }
  return undefined;
}

/** The index after the closing quote of a quoted string inside an expression, whose body starts at `start`. */
function quotedEnd(text: string, start: number): number | undefined {
  let i = start;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '"') return i + 1;
    if ((ch === '$' || ch === '%') && text[i + 1] === '{') {
      const end = sequenceEnd(text, i + 2);
      if (end === undefined) return undefined;
      i = end;
      continue;
    }
    i++;
  }
  return undefined;
}
