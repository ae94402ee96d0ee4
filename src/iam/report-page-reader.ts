/**
 * A reader for the three paged report answers (GetServiceLastAccessedDetails, …WithEntities,
 * GetOrganizationsAccessReport), meant to be cheaper than the AWS SDK's generic deserializer on a 400-service
 * ACTION_LEVEL page (~370 KB of XML, thousands of tracked actions). fast-xml-parser reads the document and the shapes
 * below (the one place that knows IAM's grammar) turn its tree into the same objects the SDK would build (dates as
 * Date, counts as numbers, lists as arrays). Measured on such a page (BENCHMARKS.md), fast-xml-parser's validate and
 * parse cost more CPU than the SDK's own deserializer, so this is not a speed-up at present.
 *
 * It is deliberately narrow: anything outside the grammar IAM uses — a malformed document, an unknown or repeated
 * element, an attribute (other than the root's xmlns), a comment, CDATA, a DOCTYPE, a processing instruction, an
 * unknown entity, text around a value, a date, count or flag in another form — makes it return undefined, and the
 * SDK's own deserializer reads the body instead (client.ts). So it can only be faster, never more lenient: every
 * page still goes through the page checks (report-pages.ts) either way. The parser is configured so that each of
 * those shows up in its output (as a key no shape has, an array where one value belongs, or an object where text
 * belongs) or makes it throw.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';


type Scalar = 'string' | 'date' | 'int' | 'bool';
type Shape = Scalar | { readonly struct: Readonly<Record<string, Shape>> } | { readonly list: Shape };

const struct = (fields: Record<string, Shape>): Shape => ({ struct: fields });
const list = (item: Shape): Shape => ({ list: item });

const JOB_ERROR = struct({ Message: 'string', Code: 'string' });
const TRACKED_ACTION = struct({ ActionName: 'string', LastAccessedEntity: 'string', LastAccessedTime: 'date', LastAccessedRegion: 'string' });
const SERVICE = struct({
  ServiceName: 'string',
  LastAuthenticated: 'date',
  ServiceNamespace: 'string',
  LastAuthenticatedEntity: 'string',
  LastAuthenticatedRegion: 'string',
  TotalAuthenticatedEntities: 'int',
  TrackedActionsLastAccessed: list(TRACKED_ACTION),
});
const ENTITY = struct({
  EntityInfo: struct({ Arn: 'string', Name: 'string', Type: 'string', Id: 'string', Path: 'string' }),
  LastAuthenticated: 'date',
});
const ACCESS_DETAIL = struct({
  ServiceName: 'string',
  ServiceNamespace: 'string',
  Region: 'string',
  EntityPath: 'string',
  LastAuthenticatedTime: 'date',
  TotalAuthenticatedEntities: 'int',
});

/** The Result element of each operation this reader knows. */
const RESULTS: Readonly<Record<string, Shape>> = {
  GetServiceLastAccessedDetails: struct({
    JobStatus: 'string',
    JobType: 'string',
    JobCreationDate: 'date',
    ServicesLastAccessed: list(SERVICE),
    JobCompletionDate: 'date',
    IsTruncated: 'bool',
    Marker: 'string',
    Error: JOB_ERROR,
  }),
  GetServiceLastAccessedDetailsWithEntities: struct({
    JobStatus: 'string',
    JobCreationDate: 'date',
    JobCompletionDate: 'date',
    EntityDetailsList: list(ENTITY),
    IsTruncated: 'bool',
    Marker: 'string',
    Error: JOB_ERROR,
  }),
  GetOrganizationsAccessReport: struct({
    JobStatus: 'string',
    JobCreationDate: 'date',
    JobCompletionDate: 'date',
    NumberOfServicesAccessible: 'int',
    NumberOfServicesNotAccessed: 'int',
    AccessDetails: list(ACCESS_DETAIL),
    IsTruncated: 'bool',
    Marker: 'string',
    ErrorDetails: JOB_ERROR,
  }),
};

export const FAST_READ_OPERATIONS: ReadonlySet<string> = new Set(Object.keys(RESULTS));

/** Thrown while reading when the body leaves the grammar; readReportPage turns it into undefined. */
class OutsideGrammar extends Error {}
const outside = (): never => {
  throw new OutsideGrammar();
};

const TEXT = '#text';
const ATTRIBUTE = '@_';
const DECLARATION = '?xml';
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const COUNT = /^(?:0|[1-9]\d{0,8})$/;
const SPACE = /^[ \t\n\r]*$/;

/**
 * The references IAM writes: the five XML entities and numeric character references, read the way the SDK's own
 * parser reads them (a numeric reference is one UTF-16 unit, as String.fromCharCode makes it), so both readings of
 * a page agree. Any other reference (a name from a DOCTYPE or HTML, a bare ampersand) leaves the grammar: the SDK
 * turns unknown names into nothing, and a page that needs that reading is the SDK's to read.
 */
const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** fast-xml-parser's entity hook: it decides which references exist; a DOCTYPE (its entities arrive here) does not. */
const xmlReferences = {
  decode(text: string): string {
    if (!text.includes('&')) return text;
    const decoded = text.replace(REFERENCE, (_, named: string | undefined, dec: string | undefined, hex: string | undefined) =>
      named ? NAMED[named]! : String.fromCharCode(parseInt(dec ?? hex!, dec ? 10 : 16)),
    );
    if (text.replace(REFERENCE, '').includes('&')) outside();
    return decoded;
  },
  addInputEntities: (): void => outside(),
  setExternalEntities: (): void => outside(),
  reset: (): void => undefined,
  setXmlVersion: (): void => undefined,
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE,
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  removeNSPrefix: false,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
  textNodeName: TEXT,
  processEntities: true,
  htmlEntities: false,
  entityDecoder: xmlReferences,
  ignoreDeclaration: false,
  ignorePiTags: false,
  // Only list items are arrays by rule; any other element seen twice becomes an array too, which no shape accepts.
  isArray: (name: string) => name === 'member',
  // No callback here needs the element's path as a string; building it for every element costs a third of the parse.
  jPath: false,
});

function scalar(shape: Scalar, node: unknown): unknown {
  if (typeof node !== 'string' || node !== node.trim()) return outside();
  switch (shape) {
    case 'string':
      return node;
    case 'date': {
      if (!DATE.test(node)) outside();
      const date = new Date(node);
      if (Number.isNaN(date.getTime())) outside();
      return date;
    }
    case 'int':
      if (!COUNT.test(node)) outside();
      return Number(node);
    case 'bool':
      return node === 'true' ? true : node === 'false' ? false : outside();
  }
}

/** The children of an element with element content: only space may stand between them. */
function children(node: unknown): Record<string, unknown> {
  if (typeof node === 'string') return SPACE.test(node) ? {} : outside();
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return outside();
  const record = node as Record<string, unknown>;
  if (Object.hasOwn(record, TEXT) && !(typeof record[TEXT] === 'string' && SPACE.test(record[TEXT]))) outside();
  return record;
}

function value(shape: Shape, node: unknown): unknown {
  if (typeof shape === 'string') {
    // An empty element is an empty string to the SDK, and nothing else is read from it.
    if (node === '') return shape === 'string' ? '' : outside();
    return scalar(shape, node);
  }
  const record = children(node);
  if ('list' in shape) {
    const items: unknown[] = [];
    for (const key of Object.keys(record)) {
      if (key === TEXT) continue;
      if (key !== 'member') outside();
      for (const item of record[key] as unknown[]) items.push(value(shape.list, item));
    }
    return items;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (key === TEXT) continue;
    if (!Object.hasOwn(shape.struct, key)) outside();
    out[key] = value(shape.struct[key]!, record[key]);
  }
  return out;
}

/** The XML declaration if any, then `<{op}Response xmlns="…">` holding its Result and optional ResponseMetadata. */
function document(operation: string, result: Shape, tree: Record<string, unknown>): Record<string, unknown> {
  const rootName = `${operation}Response`;
  for (const key of Object.keys(tree)) if (key !== rootName && key !== DECLARATION) outside();
  const root = children(tree[rootName] ?? outside());
  const resultName = `${operation}Result`;
  let output: Record<string, unknown> | undefined;
  for (const key of Object.keys(root)) {
    if (key === resultName) output = value(result, root[key]) as Record<string, unknown>;
    else if (key === 'ResponseMetadata') value(struct({ RequestId: 'string' }), root[key]);
    else if (key !== TEXT && key !== `${ATTRIBUTE}xmlns`) outside();
  }
  return output ?? outside();
}

/**
 * The SDK-shaped output (without `$metadata`) of a 2xx answer to `operation`, or undefined when this reader does
 * not know the operation or the body is not in the narrow form it reads (the SDK then reads it).
 */
export function readReportPage(operation: string, body: string): Record<string, unknown> | undefined {
  const result = RESULTS[operation];
  if (!result) return undefined;
  let tree: Record<string, unknown>;
  try {
    // The parser alone accepts mismatched close tags and text outside the root; the validator does not.
    if (XMLValidator.validate(body) !== true) return undefined;
    tree = parser.parse(body) as Record<string, unknown>;
  } catch {
    // Whatever the parser refuses (a DOCTYPE, an unknown reference, a name it reserves) is the SDK's to read.
    return undefined;
  }
  try {
    return document(operation, result, tree);
  } catch (error) {
    if (error instanceof OutsideGrammar) return undefined;
    throw error;
  }
}
