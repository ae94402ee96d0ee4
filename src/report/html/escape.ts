/**
 * Escaping for everything we put into the HTML report. Principal names, reasons, error messages and service names
 * come from IAM, a world file or a server: hostile input. Every dynamic string goes through `text` (element content)
 * or `attr` (a double-quoted attribute value) — the only two contexts the renderer uses. Nothing dynamic is ever
 * placed in a URL, a style, a script or an unquoted attribute.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Characters a HTML/SVG document must not carry: C0/C1 controls (except tab, newline), lone surrogates and
 * noncharacters. They become U+FFFD so a hostile name cannot break the XML of an exported SVG or smuggle a
 * terminal escape into a copied text.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Element content (HTML or SVG). */
export function text(value: unknown): string {
  return String(value ?? '')
    .replace(UNSAFE, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A double-quoted attribute value; newlines are kept as character references so they survive attribute normalization. */
export function attr(value: unknown): string {
  return text(value).replace(/\r?\n/g, '&#10;');
}

/** A CSS class or id fragment built from our own vocabulary only (never user input): refuses anything else. */
export function token(value: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(value)) throw new Error(`not a safe CSS token: ${JSON.stringify(value)}`);
  return value;
}
