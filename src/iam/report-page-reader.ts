/**
 * A fast reader for the three paged report answers (GetServiceLastAccessedDetails, …WithEntities,
 * GetOrganizationsAccessReport). A 400-service ACTION_LEVEL page is ~370 KB of XML with thousands of tracked
 * actions, and the AWS SDK's generic XML parser plus its schema walk cost ~25 ms of CPU per page: at 50 requests per
 * second that is the client's bottleneck. These answers have a fixed, known shape, so this reads exactly that shape
 * in one pass and builds the same objects the SDK would (dates as Date, counts as numbers, lists as arrays).
 *
 * It is deliberately narrow: anything outside the grammar IAM uses — an unknown or repeated element, an attribute
 * (other than on the root), a comment, CDATA, a DOCTYPE, an unknown entity, text around a value, a date, count or
 * flag in another form — makes it return undefined, and the SDK's own deserializer reads the body instead
 * (client.ts). So it can only be faster, never more lenient: every page still goes through the page checks
 * (report-pages.ts) either way.
 */

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

/** Thrown inside the reader when the body leaves the grammar; readReportPage turns it into undefined. */
class OutsideGrammar extends Error {}
const outside = (): never => {
  throw new OutsideGrammar();
};

const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const COUNT = /^(?:0|[1-9]\d{0,8})$/;
const NAME = /[A-Za-z][A-Za-z0-9_]*/y;
const ENTITY_REF = /&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /

function decode(raw: string): string {
  if (!raw.includes('&')) return raw;
  const decoded = raw.replace(ENTITY_REF, (_, named: string | undefined, dec: string | undefined, hex: string | undefined) =>
    named ? NAMED[named]! : String.fromCharCode(parseInt(dec ?? hex!, dec ? 10 : 16)),
  );
  // An ampersand that is no known reference: the SDK's reading of it decides.
  if (raw.replace(ENTITY_REF, '').includes('&')) outside();
  return decoded;
}

function scalar(shape: Scalar, raw: string): unknown {
  const text = decode(raw);
  if (text !== text.trim()) outside();
  switch (shape) {
    case 'string':
      return text;
    case 'date': {
      if (!DATE.test(text)) outside();
      const date = new Date(text);
      if (Number.isNaN(date.getTime())) outside();
      return date;
    }
    case 'int':
      if (!COUNT.test(text)) outside();
      return Number(text);
    case 'bool':
      return text === 'true' ? true : text === 'false' ? false : outside();
  }
}

class Reader {
  private i = 0;
  constructor(private readonly x: string) {}

  private skipSpace(): void {
    const x = this.x;
    let c = x.charCodeAt(this.i);
    while (c === 32 || c === 10 || c === 9 || c === 13) c = x.charCodeAt(++this.i);
  }

  private name(): string {
    NAME.lastIndex = this.i;
    const m = NAME.exec(this.x) ?? outside();
    this.i = NAME.lastIndex;
    return m[0];
  }

  /** After optional space: `<Name>` or `<Name/>` → its name and whether it was empty; `</` → undefined. */
  openTag(): { name: string; empty: boolean } | undefined {
    this.skipSpace();
    if (this.x.charCodeAt(this.i) !== LT) outside();
    if (this.x.charCodeAt(this.i + 1) === SLASH) return undefined;
    this.i++;
    const name = this.name();
    const c = this.x.charCodeAt(this.i);
    if (c === GT) {
      this.i++;
      return { name, empty: false };
    }
    if (c === SLASH && this.x.charCodeAt(this.i + 1) === GT) {
      this.i += 2;
      return { name, empty: true };
    }
    return outside();
  }

  /** `</name>`, after optional space when `space`. */
  closeTag(name: string, space: boolean): void {
    if (space) this.skipSpace();
    if (this.x.charCodeAt(this.i) !== LT || this.x.charCodeAt(this.i + 1) !== SLASH) outside();
    this.i += 2;
    if (this.name() !== name || this.x.charCodeAt(this.i) !== GT) outside();
    this.i++;
  }

  /** The content of an element whose open tag was just read, up to and including its close tag. */
  value(shape: Shape, name: string, empty: boolean): unknown {
    if (typeof shape === 'string') {
      if (empty) return shape === 'string' ? '' : outside();
      const end = this.x.indexOf('<', this.i);
      if (end < 0) outside();
      const raw = this.x.slice(this.i, end);
      this.i = end;
      this.closeTag(name, false);
      return scalar(shape, raw);
    }
    if ('list' in shape) {
      const items: unknown[] = [];
      if (empty) return items;
      for (let tag = this.openTag(); tag; tag = this.openTag()) {
        if (tag.name !== 'member') outside();
        items.push(this.value(shape.list, 'member', tag.empty));
      }
      this.closeTag(name, false);
      return items;
    }
    const out: Record<string, unknown> = {};
    if (empty) return out;
    for (let tag = this.openTag(); tag; tag = this.openTag()) {
      const field = Object.hasOwn(shape.struct, tag.name) ? shape.struct[tag.name]! : outside();
      if (Object.hasOwn(out, tag.name)) outside();
      out[tag.name] = this.value(field, tag.name, tag.empty);
    }
    this.closeTag(name, false);
    return out;
  }

  /** `<?xml …?>` if any, then `<{op}Response …>`, its Result, optional ResponseMetadata, and nothing after it. */
  document(operation: string, result: Shape): Record<string, unknown> {
    const x = this.x;
    if (x.startsWith('<?xml')) {
      const end = x.indexOf('?>');
      if (end < 0) outside();
      this.i = end + 2;
    }
    this.skipSpace();
    const root = `${operation}Response`;
    if (!x.startsWith(`<${root}`, this.i)) outside();
    this.i += root.length + 1;
    // The root's attributes (xmlns): name="value" pairs, nothing else.
    const close = x.indexOf('>', this.i);
    if (close < 0 || !/^(?:\s+[A-Za-z_:][\w:.-]*="[^"<&]*")*\s*$/.test(x.slice(this.i, close))) outside();
    this.i = close + 1;
    const resultName = `${operation}Result`;
    let output: Record<string, unknown> | undefined;
    let metadataSeen = false;
    for (let tag = this.openTag(); tag; tag = this.openTag()) {
      if (tag.name === resultName && !output) output = this.value(result, resultName, tag.empty) as Record<string, unknown>;
      else if (tag.name === 'ResponseMetadata' && !metadataSeen) {
        metadataSeen = true;
        this.value(struct({ RequestId: 'string' }), 'ResponseMetadata', tag.empty);
      } else outside();
    }
    this.closeTag(root, true);
    this.skipSpace();
    if (this.i !== x.length || !output) outside();
    return output!;
  }
}

/**
 * The SDK-shaped output (without `$metadata`) of a 2xx answer to `operation`, or undefined when this reader does
 * not know the operation or the body is not in the narrow form it reads (the SDK then reads it).
 */
export function readReportPage(operation: string, body: string): Record<string, unknown> | undefined {
  const result = RESULTS[operation];
  if (!result) return undefined;
  const xml = body.includes('\r') ? body.replace(/\r\n?/g, '\n') : body;
  try {
    return new Reader(xml).document(operation, result);
  } catch (error) {
    if (error instanceof OutsideGrammar) return undefined;
    throw error;
  }
}
