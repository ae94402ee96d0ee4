/**
 * A reader for the three paged report answers (GetServiceLastAccessedDetails, …WithEntities,
 * GetOrganizationsAccessReport), cheaper than the AWS SDK's generic deserializer on a 400-service ACTION_LEVEL page
 * (~370 KB of XML, thousands of tracked actions). saxes, a strict streaming XML parser, reads the body once; each
 * element is checked against the shapes below (the one place that knows IAM's grammar) as it opens, and turned into
 * the object the SDK would build (dates as Date, counts as numbers, lists as arrays) as it closes. No tree is built
 * and nothing is walked twice.
 *
 * It is deliberately narrow: anything outside the grammar IAM uses — a document that is not well-formed, an unknown
 * or repeated element, an attribute (other than the root's xmlns), a comment, CDATA, a DOCTYPE, a processing
 * instruction, an entity other than XML's five, a character reference outside the Basic Multilingual Plane, text
 * around a value, a date, count or flag in another form — makes it return undefined, and the SDK's own deserializer
 * reads the body instead (client.ts). So it can only be faster, never more lenient: every page still goes through
 * the page checks (report-pages.ts) either way.
 */
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import type { SaxesParser as SaxesParserClass, SaxesTagPlain } from 'saxes';
import { interned } from './interned-strings';

let Parser: typeof SaxesParserClass | undefined;
/**
 * saxes is loaded once a job runs, not with the engine: a cold report loads the engine, sends Generate and waits for
 * the job, and the few ms of loading the parser then fall in that wait (report-job.ts preloads it) instead of before
 * the job starts.
 */
function saxesParser(): typeof SaxesParserClass {
  Parser ??= (require('saxes') as { SaxesParser: typeof SaxesParserClass }).SaxesParser;
  return Parser;
}

/** A small page in IAM's form: reading it once compiles the parser's code paths. */
export const WARM_UP_PAGE =
  '<?xml version="1.0" encoding="UTF-8"?><GetServiceLastAccessedDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">' +
  '<GetServiceLastAccessedDetailsResult><JobStatus>COMPLETED</JobStatus><JobCreationDate>2026-01-01T00:00:00Z</JobCreationDate>' +
  '<ServicesLastAccessed><member><ServiceName>S</ServiceName><ServiceNamespace>s</ServiceNamespace><TotalAuthenticatedEntities>0</TotalAuthenticatedEntities>' +
  '<TrackedActionsLastAccessed><member><ActionName>A</ActionName></member></TrackedActionsLastAccessed></member></ServicesLastAccessed>' +
  '<JobCompletionDate>2026-01-01T00:00:01Z</JobCompletionDate><IsTruncated>false</IsTruncated></GetServiceLastAccessedDetailsResult>' +
  '<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetServiceLastAccessedDetailsResponse>';

/**
 * Loads the XML parser and reads a small page now, so that the first real page pays neither: call it when the
 * process has time to spare (report-job.ts does while a job runs); only the first call does anything.
 */
let preloaded = false;
export function preloadPageReader(): void {
  // Once a process: after the first head start every job's page finds the parser loaded and compiled.
  if (preloaded) return;
  preloaded = true;
  try {
    readReportPage('GetServiceLastAccessedDetails', WARM_UP_PAGE);
  } catch {
    // Only a head start: whatever went wrong here happens again, and is reported, at the first real page.
  }
}

type Scalar = 'string' | 'date' | 'int' | 'bool';
interface StructShape {
  readonly struct: Readonly<Record<string, Shape>>;
}
interface ListShape {
  readonly list: Shape;
}
type Shape = Scalar | StructShape | ListShape;

const struct = (fields: Record<string, Shape>): StructShape => ({ struct: fields });
const list = (item: Shape): ListShape => ({ list: item });

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
const RESPONSE_METADATA = struct({ RequestId: 'string' });

/** The Result element of each operation this reader knows. */
const RESULTS: Readonly<Record<string, StructShape>> = {
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

const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const COUNT = /^(?:0|[1-9]\d{0,8})$/;
const SPACE = /^[ \t\n\r]*$/;
/** `<?xml` followed by space opens the XML declaration; `<?xml-stylesheet …?>` is a processing instruction. */
const XML_DECLARATION = /^<\?xml[ \t\n\r]/;
/** Numeric character references: the SDK reads each as one UTF-16 unit, so one beyond U+FFFF is left to it. */
const CHARACTER_REFERENCE = /&#(?:x([0-9a-fA-F]+)|(\d+));/g;

/**
 * The SDK-shaped output (without `$metadata`) of a 2xx answer to `operation`, or undefined when this reader does
 * not know the operation or the body is not in the narrow form it reads (the SDK then reads it). The body as bytes
 * (what the client has) is decoded and parsed piece by piece: one string of a whole 400-service page is a large
 * object for V8 (about 2 ms of CPU to make and collect), pieces of it are not.
 */
export function readReportPage(operation: string, body: string | Uint8Array, pieceBytes = PIECE_BYTES): Record<string, unknown> | undefined {
  if (!RESULTS[operation]) return undefined;
  if (typeof body === 'string') return markupIamNeverSends(body) ? undefined : parsePage(operation, [body]);
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // Not UTF-8: decoded whole, exactly as the SDK decodes it (replacement characters included).
  if (!isUtf8(bytes)) return readReportPage(operation, bytes.toString('utf8'));
  // A byte order mark, `<!`, `<?`, `&#` are the same bytes in UTF-8 as the characters the string checks look for.
  if (bytes.includes('&#')) return readReportPage(operation, bytes.toString('utf8'));
  if (markupIamNeverSends(bytes)) return undefined;
  return parsePage(operation, decodedPieces(bytes, pieceBytes));
}

/**
 * The JobStatus a report page's bytes name, read without parsing them: the value of its one `<JobStatus>` element
 * when it is a plain word (capitals and `_`), else undefined (none, two, or another form). For timing only — when to
 * send the next requests (report-job.ts) — never for what the page says: a page is read and checked before anything
 * of it counts, and one whose parse disagrees only cost a request sent early.
 */
export function peekJobStatus(bytes: Buffer): string | undefined {
  const at = bytes.indexOf(JOB_STATUS_OPEN);
  if (at < 0 || bytes.indexOf(JOB_STATUS_OPEN, at + JOB_STATUS_OPEN.length) >= 0) return undefined;
  const from = at + JOB_STATUS_OPEN.length;
  const to = bytes.indexOf(JOB_STATUS_CLOSE, from);
  if (to < 0 || to - from > 32) return undefined;
  const status = bytes.toString('latin1', from, to);
  return /^[A-Z_]+$/.test(status) ? status : undefined;
}
const JOB_STATUS_OPEN = Buffer.from('<JobStatus>');
const JOB_STATUS_CLOSE = Buffer.from('</JobStatus>');

/**
 * The text of `bytes` (valid UTF-8), one piece at a time: each piece is decoded when the parser asks for it, so only
 * one piece of the page's text exists at a time next to its bytes.
 */
function* decodedPieces(bytes: Buffer, pieceBytes: number): Generator<string> {
  const decoder = new StringDecoder('utf8');
  for (let at = 0; at < bytes.length; at += pieceBytes) yield decoder.write(bytes.subarray(at, at + pieceBytes));
}

/** Bytes decoded and parsed at a time: well below V8's large-object size. */
const PIECE_BYTES = 32 * 1024;

/**
 * Whether `<` followed by the byte `mark` occurs in `bytes` at `from` or later: `!` and `?` are rare in IAM's pages
 * and `<` is in every element, so the rare byte is searched for (a search for the two bytes together stops at every
 * `<`: some 0.15 ms a 400-service page, where this takes microseconds).
 */
function opensWith(bytes: Buffer, mark: number, from: number): boolean {
  for (let at = bytes.indexOf(mark, from + 1); at >= 0; at = bytes.indexOf(mark, at + 1)) if (bytes[at - 1] === 0x3c) return true;
  return false;
}

/**
 * A byte order mark, and markup IAM never sends, found by a scan rather than by parser events (a
 * processing-instruction handler alone makes saxes several times slower): every comment, CDATA section and DOCTYPE
 * starts with `<!`, every processing instruction with `<?` (the XML declaration may only stand first). `<` cannot
 * stand unescaped anywhere else. A character reference beyond the Basic Multilingual Plane, which the SDK reads as
 * one UTF-16 unit, is left to it too.
 */
function markupIamNeverSends(body: string | Buffer): boolean {
  if (typeof body === 'string' ? body.charCodeAt(0) === 0xfeff : body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return true;
  const start = typeof body === 'string' ? body.slice(0, 6) : body.subarray(0, 6).toString('latin1');
  const from = XML_DECLARATION.test(start) ? 1 : 0;
  if (typeof body === 'string') {
    if (body.includes('<!') || body.indexOf('<?', from) >= 0) return true;
  } else if (opensWith(body, 0x21, 0) || opensWith(body, 0x3f, from)) {
    return true;
  }
  if (typeof body === 'string' && body.includes('&#')) {
    for (const m of body.matchAll(CHARACTER_REFERENCE)) if (parseInt(m[1] ?? m[2]!, m[1] ? 16 : 10) > 0xffff) return true;
  }
  return false;
}

/**
 * A shape compiled for reading: what each element may contain, looked up by name as it opens. `kind` is a small
 * integer so that the per-element tests are comparisons, not string or property tests.
 */
const enum Kind {
  String,
  Date,
  Int,
  Bool,
  Struct,
  List,
  /** The response element: the Result and ResponseMetadata, each at most once; only the Result is kept. */
  Response,
  /** Outside the root element. */
  Document,
}
interface Compiled {
  readonly kind: Kind;
  /**
   * A field's name as the shape spells it: the key its value is stored under. The parser's name of an element is a
   * new string each time, which V8 would hash to use as a property key; this one is a constant it already knows.
   */
  readonly name?: string;
  readonly fields?: ReadonlyMap<string, Compiled>;
  readonly item?: Compiled;
}
const SCALAR_KINDS: Readonly<Record<Scalar, Kind>> = { string: Kind.String, date: Kind.Date, int: Kind.Int, bool: Kind.Bool };

function compile(shape: Shape, name?: string): Compiled {
  if (typeof shape === 'string') return { kind: SCALAR_KINDS[shape], name };
  if ('list' in shape) return { kind: Kind.List, name, item: compile(shape.list) };
  return { kind: Kind.Struct, name, fields: new Map(Object.entries(shape.struct).map(([field, fieldShape]) => [field, compile(fieldShape, field)])) };
}

/** The response element of each operation: its Result (named `${operation}Result`) and ResponseMetadata. */
const RESPONSES: ReadonlyMap<string, Compiled> = new Map(
  Object.entries(RESULTS).map(([operation, result]) => [
    operation,
    {
      kind: Kind.Response,
      fields: new Map([
        [`${operation}Result`, compile(result, `${operation}Result`)],
        ['ResponseMetadata', compile(RESPONSE_METADATA, 'ResponseMetadata')],
      ]),
    },
  ]),
);
const DOCUMENT: Compiled = { kind: Kind.Document };

function scalar(kind: Kind, text: string): unknown {
  switch (kind) {
    // An empty element is an empty string to the SDK, and nothing else is read from it.
    case Kind.String:
      return interned(text);
    case Kind.Date: {
      if (!DATE.test(text)) return outside();
      const date = new Date(text);
      return Number.isNaN(date.getTime()) ? outside() : date;
    }
    case Kind.Int:
      return COUNT.test(text) ? Number(text) : outside();
    default:
      return text === 'true' ? true : text === 'false' ? false : outside();
  }
}

/** A value as IAM writes it: no space around it and no line break in it (XML parsers normalise those differently). */
function plainText(text: string): boolean {
  const n = text.length;
  if (n === 0) return true;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(n - 1);
  // Printable ASCII at both ends cannot be trimmed (every character trim() removes is below 0x21 or above 0x7e).
  const untrimmable = first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f;
  if (!untrimmable && text.trim() !== text) return false;
  return !text.includes('\n') && !text.includes('\r');
}

function parsePage(operation: string, pieces: Iterable<string>): Record<string, unknown> | undefined {
  const response = RESPONSES.get(operation)!;
  const rootName = `${operation}Response`;
  const resultName = `${operation}Result`;
  let output: Record<string, unknown> | undefined;
  // The open elements, as three parallel stacks (no object per element): shape, name, and what it has read so far
  // (a struct's fields, a list's items, or a scalar's text). Index 0 is the document.
  const shapes: Compiled[] = [DOCUMENT];
  const names: string[] = [''];
  const values: unknown[] = [undefined];
  let top = 0;

  const SaxesParser = saxesParser();
  const parser = new SaxesParser({ xmlns: false, position: false });
  // Attributes are reported before their element opens: only the root's xmlns is IAM's form.
  parser.on('attribute', (attribute: { name: string }) => {
    if (top !== 0 || attribute.name !== 'xmlns') outside();
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const parent = shapes[top]!;
    const name = tag.name;
    let shape: Compiled | undefined;
    let value: unknown;
    switch (parent.kind) {
      case Kind.Document:
        if (name !== rootName) outside();
        shape = response;
        break;
      case Kind.List:
        if (name !== 'member') outside();
        shape = parent.item!;
        break;
      case Kind.Struct:
      case Kind.Response:
        shape = parent.fields!.get(name);
        if (shape === undefined) outside();
        // Each field once: a second one would be a second answer to the same question.
        if ((values[top] as Record<string, unknown>)[shape!.name!] !== undefined) outside();
        break;
      default:
        // Inside a scalar.
        outside();
    }
    switch (shape!.kind) {
      case Kind.Struct:
      case Kind.Response:
        value = {};
        break;
      case Kind.List:
        value = [];
        break;
      default:
        value = '';
    }
    top++;
    shapes[top] = shape!;
    names[top] = shape!.name ?? name;
    values[top] = value;
  });
  parser.on('text', (text: string) => {
    const kind = shapes[top]!.kind;
    if (kind <= Kind.Bool) values[top] = (values[top] as string) + text;
    // Between elements only space; outside the root saxes itself refuses text.
    else if (!SPACE.test(text)) outside();
  });
  parser.on('closetag', () => {
    const shape = shapes[top]!;
    const name = names[top]!;
    let value = values[top];
    values[top] = undefined;
    top--;
    if (shape.kind === Kind.Response) return;
    if (shape.kind <= Kind.Bool) {
      const text = value as string;
      if (!plainText(text)) outside();
      value = scalar(shape.kind, text);
    }
    const parentValue = values[top];
    const parentKind = shapes[top]!.kind;
    if (parentKind === Kind.List) (parentValue as unknown[]).push(value);
    else (parentValue as Record<string, unknown>)[name] = value;
    if (parentKind === Kind.Response && name === resultName) output = value as Record<string, unknown>;
  });
  parser.on('xmldecl', (declaration: { version?: string; encoding?: string }) => {
    if (declaration.version !== '1.0' || (declaration.encoding !== undefined && declaration.encoding.toUpperCase() !== 'UTF-8')) outside();
  });
  try {
    // Without an error handler saxes throws at the first well-formedness error.
    for (const piece of pieces) parser.write(piece);
    parser.close();
  } catch {
    return undefined;
  }
  return output;
}
