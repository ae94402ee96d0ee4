import { randomBytes } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';

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
 * A list's `<member>` items already rendered (see RenderedMembers), as UTF-8 bytes, placed as they are: a completed
 * job's report does not change, so its items are rendered once and every page of it is a slice of them (a
 * 400-service ACTION_LEVEL page is thousands of elements, which the builder would otherwise write again for every
 * Get, and a few hundred KB a string would encode again for every Get).
 */
export class XmlFragment {
  constructor(readonly bytes: Buffer) {}
}

/** Members rendered once, encoded once into one buffer, with where each one starts: a page is a view of it. */
export class RenderedMembers {
  private readonly bytes: Buffer;
  /** starts[i]: the byte where member i begins; starts[length]: the end. */
  private readonly starts: number[];

  constructor(members: readonly string[]) {
    this.bytes = Buffer.from(members.join(''), 'utf8');
    this.starts = [0];
    let at = 0;
    for (const member of members) this.starts.push((at += Buffer.byteLength(member, 'utf8')));
  }

  get length(): number {
    return this.starts.length - 1;
  }

  /** Members [from, to) as one fragment (no copy). */
  slice(from: number, to: number): XmlFragment {
    return new XmlFragment(this.bytes.subarray(this.starts[from], this.starts[to]));
  }
}

/** A rendered document: its text with each fragment's bytes in place, written as they are. */
export type RenderedXml = readonly (string | Buffer)[];

/** The document as one string (what a test compares, or a member placed inside another). */
export function xmlText(rendered: RenderedXml): string {
  return rendered.map((part) => (typeof part === 'string' ? part : part.toString('utf8'))).join('');
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  format: false,
});

/**
 * Where a fragment goes, the builder writes a placeholder: a random token of this process (letters and digits, so
 * the builder writes it unchanged and no text of a world file or a request can be it), replaced by the fragment.
 */
const PLACEHOLDER = `xmlfragment${randomBytes(16).toString('hex')}n`;

function toBuilderShape(value: XmlValue, fragments: XmlFragment[]): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof XmlFragment) {
    if (value.bytes.length === 0) return '';
    fragments.push(value);
    return `${PLACEHOLDER}${fragments.length - 1}x`;
  }
  if (value instanceof XmlList) {
    if (value.items.length === 0) return '';
    return { member: value.items.map((item) => (typeof item === 'string' ? item : toBuilderShape(item, fragments))) };
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // Element names only: to the builder a leading `@_`, `#` or `?` means an attribute, text or an instruction.
      if (!/^[A-Za-z_]/.test(key) || key.startsWith('@_')) throw new Error(`internal error: "${key}" is not an element name`);
      if (child !== undefined) out[key] = toBuilderShape(child, fragments);
    }
    return out;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  return value;
}

/** The document around `body`: the envelope (with its namespace attribute) is the builder's, the body is shaped. */
function build(root: string, attributes: Record<string, string>, body: Record<string, XmlValue>): RenderedXml {
  const fragments: XmlFragment[] = [];
  return placeFragments(builder.build({ [root]: { ...attributes, ...(toBuilderShape(body, fragments) as object) } }) as string, fragments);
}

function placeFragments(xml: string, fragments: readonly XmlFragment[]): RenderedXml {
  if (fragments.length === 0) return [xml];
  const parts: (string | Buffer)[] = [];
  let at = 0;
  for (const m of xml.matchAll(new RegExp(`${PLACEHOLDER}(\\d+)x`, 'g'))) {
    parts.push(xml.slice(at, m.index), fragments[Number(m[1])]!.bytes);
    at = m.index + m[0].length;
  }
  parts.push(xml.slice(at));
  return parts;
}

/** One item as its `<member>` element, for RenderedMembers. */
export function renderMember(item: XmlNode | string): string {
  const fragments: XmlFragment[] = [];
  return xmlText(placeFragments(builder.build({ member: toBuilderShape(item, fragments) }) as string, fragments));
}

/** Each item as its `<member>` element. */
export function renderMembers(items: readonly (XmlNode | string)[]): RenderedMembers {
  return new RenderedMembers(items.map(renderMember));
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A result as the server writes it: text, with the bytes of any fragment in place. */
export function renderResultParts(action: string, result: XmlNode, requestId: string, xmlns: string = IAM_XMLNS): RenderedXml {
  const body = { [`${action}Result`]: result, ResponseMetadata: { RequestId: requestId } };
  const parts = build(`${action}Response`, { '@_xmlns': xmlns }, body);
  return [DECLARATION + (parts[0] as string), ...parts.slice(1)];
}

export function renderResult(action: string, result: XmlNode, requestId: string, xmlns: string = IAM_XMLNS): string {
  return xmlText(renderResultParts(action, result, requestId, xmlns));
}

export function renderError(type: string, code: string, message: string, requestId: string, xmlns: string = IAM_XMLNS): string {
  const body = { Error: { Type: type, Code: code, Message: message }, RequestId: requestId };
  return DECLARATION + xmlText(build('ErrorResponse', { '@_xmlns': xmlns }, body));
}
