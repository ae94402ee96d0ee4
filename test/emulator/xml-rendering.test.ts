import { XMLBuilder } from 'fast-xml-parser';
import { list, renderError, renderMembers, renderResult, XmlList, type XmlNode, type XmlValue } from '../../src/emulator/xml';
import { prng } from '../analysis/generators';

// The emulator writes pages from members rendered once and joined (RenderedMembers, a page an XmlFragment slice of them). The oracle is fast-xml-parser's XMLBuilder over
// the same nodes (suppressEmptyNode, entities escaped). Every answer must stay byte for byte the same.
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true, format: false });

function shape(value: XmlValue): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof XmlList) return value.items.length === 0 ? '' : { member: value.items.map((item) => (typeof item === 'string' ? item : shape(item))) };
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) if (child !== undefined) out[key] = shape(child);
    return out;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  return value;
}

const oracleResult = (action: string, result: XmlNode, requestId: string, xmlns: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [`${action}Response`]: { '@_xmlns': xmlns, [`${action}Result`]: shape(result), ResponseMetadata: { RequestId: requestId } } }) as string}`;
const oracleError = (type: string, code: string, message: string, requestId: string, xmlns: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ ErrorResponse: { '@_xmlns': xmlns, Error: { Type: type, Code: code, Message: message }, RequestId: requestId } }) as string}`;

// Text a world file or a request may carry: markup, entities, quotes, non-ASCII, control characters, empty.
const TEXTS = ['', 's3', 'a&b', '<script>', "it's", '"quoted"', '&amp;', ']]>', 'naïve ☃', '\u0000\u0007', ' lead', 'x'.repeat(300), '0', 'true'];
const KEYS = ['ServiceName', 'LastAuthenticated', 'TrackedActionsLastAccessed', 'Marker', 'IsTruncated', 'A', 'Error'];

function randomValue(rand: () => number, depth: number): XmlValue {
  const roll = rand();
  if (roll < 0.1) return undefined;
  if (roll < 0.35) return TEXTS[Math.floor(rand() * TEXTS.length)]!;
  if (roll < 0.42) return Math.floor(rand() * 2000) - 1000 + (rand() < 0.2 ? 0.5 : 0);
  if (roll < 0.48) return rand() < 0.5;
  if (roll < 0.54) return new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 1e10));
  if (depth > 3 || roll < 0.75) return depth > 3 ? 'leaf' : randomNode(rand, depth + 1);
  const items = Array.from({ length: Math.floor(rand() * 4) }, () => (rand() < 0.4 ? TEXTS[Math.floor(rand() * TEXTS.length)]! : randomNode(rand, depth + 1)));
  return list(items);
}

function randomNode(rand: () => number, depth: number): XmlNode {
  const node: XmlNode = {};
  for (let i = Math.floor(rand() * 4); i > 0; i--) node[KEYS[Math.floor(rand() * KEYS.length)]!] = randomValue(rand, depth);
  return node;
}

describe('emulator XML rendering', () => {
  it('writes every result and error byte for byte as fast-xml-parser did (2,000 generated nodes)', () => {
    const rand = prng(2611);
    let selfClosing = 0;
    let escaped = 0;
    for (let i = 0; i < 2000; i++) {
      const node = randomNode(rand, 0);
      const xmlns = rand() < 0.1 ? 'https://sts.amazonaws.com/doc/2011-06-15/' : 'https://iam.amazonaws.com/doc/2010-05-08/';
      const requestId = TEXTS[i % TEXTS.length]!;
      const ours = renderResult('GetServiceLastAccessedDetails', node, requestId, xmlns);
      expect(ours).toBe(oracleResult('GetServiceLastAccessedDetails', node, requestId, xmlns));
      const message = TEXTS[(i * 7) % TEXTS.length]!;
      expect(renderError('Sender', 'NoSuchEntity', message, requestId, xmlns)).toBe(oracleError('Sender', 'NoSuchEntity', message, requestId, xmlns));
      if (/<\w+\/>/.test(ours)) selfClosing++;
      if (ours.includes('&amp;') || ours.includes('&lt;')) escaped++;
    }
    // The generated nodes exercised both the empty forms and the escapes.
    expect(selfClosing).toBeGreaterThan(200);
    expect(escaped).toBeGreaterThan(200);
  });

  it('a list of pre-rendered members (XmlFragment) is written as the same list would be', () => {
    const rand = prng(2612);
    for (let i = 0; i < 300; i++) {
      const items = Array.from({ length: Math.floor(rand() * 5) }, () => (rand() < 0.3 ? TEXTS[Math.floor(rand() * TEXTS.length)]! : randomNode(rand, 1)));
      const members = renderMembers(items);
      const from = Math.floor(rand() * (items.length + 1));
      const to = from + Math.floor(rand() * (items.length - from + 1));
      const asList = renderResult('Op', { Before: 'b', Items: list(items.slice(from, to)), After: 1 }, 'r', 'x');
      expect(renderResult('Op', { Before: 'b', Items: members.slice(from, to), After: 1 }, 'r', 'x')).toBe(asList);
    }
  });

  it('refuses a key that would not be an element name (an attribute, text or processing instruction in the old builder)', () => {
    for (const key of ['@_xmlns', '#text', '?xml', '0']) {
      expect(() => renderResult('Op', { [key]: 'v' }, 'r')).toThrow(`"${key}" is not an element name`);
    }
  });
});
