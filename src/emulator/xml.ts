export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/**
 * A result node: scalars, nested nodes, or lists. A list renders as `<member>` items; an empty list renders as
 * `<X/>` (IAM's form for an empty required list). Undefined members are left out.
 */
export type XmlValue = string | number | boolean | Date | undefined | XmlNode | XmlList | XmlFragment;
export interface XmlNode {
  [key: string]: XmlValue;
}
export class XmlList {
  constructor(readonly items: readonly (XmlNode | string)[]) {}
}
export const list = (items: readonly (XmlNode | string)[]) => new XmlList(items);

/**
 * A list's `<member>` items already rendered (by renderMembers), written as they are: a completed job's report does
 * not change, so its items are rendered once and every page of it is a slice of them.
 */
export class XmlFragment {
  constructor(readonly members: readonly string[]) {}
}

/**
 * The wire form, written directly (no general-purpose builder: a 400-service ACTION_LEVEL page is thousands of
 * elements). Element text escapes `& > < ' "`; an empty string, an empty list and a node with nothing in it are
 * self-closing (`<X/>`); booleans are `true`/`false`, dates ISO-8601.
 */
function writeValue(key: string, value: XmlValue, out: string[]): void {
  if (value === undefined) return;
  if (value === null) {
    out.push(`<${key}/>`);
    return;
  }
  if (typeof value === 'string') return writeText(key, value, out);
  if (typeof value === 'number') return writeText(key, String(value), out);
  if (typeof value === 'boolean') return writeText(key, value ? 'true' : 'false', out);
  if (value instanceof Date) return writeText(key, value.toISOString(), out);
  const start = out.length;
  out.push(`<${key}>`);
  if (value instanceof XmlList) for (const item of value.items) writeValue('member', item, out);
  else if (value instanceof XmlFragment) for (const member of value.members) out.push(member);
  else writeChildren(value, out);
  // Nothing inside (an empty list, a node whose members are all undefined): self-closing.
  if (out.length === start + 1) out[start] = `<${key}/>`;
  else out.push(`</${key}>`);
}

function writeChildren(node: XmlNode, out: string[]): void {
  for (const key of Object.keys(node)) {
    // Element names only: a leading `@`, `#` or `?` would mean an attribute, text or a processing instruction.
    if (!/^[A-Za-z_]/.test(key)) throw new Error(`internal error: "${key}" is not an element name`);
    writeValue(key, node[key], out);
  }
}

function writeText(key: string, text: string, out: string[]): void {
  out.push(text === '' ? `<${key}/>` : `<${key}>${escapeText(text)}</${key}>`);
}

const SPECIAL = /[&<>'"]/;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;' };

export function escapeText(text: string): string {
  return SPECIAL.test(text) ? text.replace(/[&<>'"]/g, (c) => ENTITIES[c]!) : text;
}

/** Each item as its `<member>` element, for an XmlFragment. */
export function renderMembers(items: readonly (XmlNode | string)[]): string[] {
  return items.map((item) => {
    const out: string[] = [];
    writeValue('member', item, out);
    return out.join('');
  });
}

function envelope(root: string, xmlns: string, body: (out: string[]) => void): string {
  const out = [`<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${escapeText(xmlns)}">`];
  body(out);
  out.push(`</${root}>`);
  return out.join('');
}

export function renderResult(action: string, result: XmlNode, requestId: string, xmlns: string = IAM_XMLNS): string {
  return envelope(`${action}Response`, xmlns, (out) => {
    writeValue(`${action}Result`, result, out);
    writeValue('ResponseMetadata', { RequestId: requestId }, out);
  });
}

export function renderError(type: string, code: string, message: string, requestId: string, xmlns: string = IAM_XMLNS): string {
  return envelope('ErrorResponse', xmlns, (out) => {
    writeValue('Error', { Type: type, Code: code, Message: message }, out);
    writeValue('RequestId', requestId, out);
  });
}
