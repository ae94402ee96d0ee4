/*
 * Text that came from a server or a user, made safe for a terminal, a PR page or an annotation line.
 */

/**
 * Control characters (ESC starts terminal escape sequences; CR, BEL, bidi overrides reorder or hide text) and line
 * breaks (LF, CR, VT, FF, NEL, U+2028, U+2029: a name with one could forge a line such as "✅ access-advisor gate
 * passed") written as visible escapes: report data comes from a server and must not drive the reader's terminal or a
 * PR page. Every cell, title and line of a document is one line.
 */
export function visible(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return String(text).replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, escapeChar);
}

/** A code block keeps its own line feeds (pretty JSON); every other control character and line break is escaped. */
export function visibleCode(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return String(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, escapeChar);
}

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
