import { decode, encode, ExtData, ExtensionCodec } from '@msgpack/msgpack';

/**
 * Terraform's values on the wire (`DynamicValue.msgpack`): plain msgpack, except that a value not known until apply
 * is a msgpack extension — type 0 for a plain unknown, type 12 for a "refined" unknown that carries what Terraform
 * already knows about it (not null, a string prefix, a number or length range). Both decode to `Unknown`.
 */
export class Unknown {
  constructor(
    /** The refinements of a type-12 unknown, as sent (a msgpack map keyed by small integers), else undefined. */
    readonly refinements?: unknown,
  ) {}
  /** Terraform's refinement "definitely not null": key 1 (nullness) set to false. */
  get knownNotNull(): boolean {
    return this.refinement(1) === false;
  }
  /** The known prefix of an unknown string (key 2), if Terraform sent one. */
  get stringPrefix(): string | undefined {
    const prefix = this.refinement(2);
    return typeof prefix === 'string' ? prefix : undefined;
  }
  private refinement(key: number): unknown {
    const r = this.refinements;
    return typeof r === 'object' && r !== null ? (r as Record<number, unknown>)[key] : undefined;
  }
}

export const UNKNOWN = new Unknown();

const UNKNOWN_EXTENSION = 0;
const REFINED_UNKNOWN_EXTENSION = 12;

const codec = new ExtensionCodec();
codec.register({
  type: UNKNOWN_EXTENSION,
  encode: (value: unknown) => (value instanceof Unknown ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});
codec.register({
  type: REFINED_UNKNOWN_EXTENSION,
  encode: () => null,
  decode: (data: Uint8Array) => {
    try {
      return new Unknown(decode(data));
    } catch {
      // Refinements only narrow an unknown; one we cannot read is still an unknown.
      return UNKNOWN;
    }
  },
});

export function decodeDynamicValue(value: { msgpack?: Uint8Array | null; json?: Uint8Array | null } | null | undefined): unknown {
  if (!value) return null;
  if (value.msgpack && value.msgpack.length > 0) return unknownExtensions(decode(value.msgpack, { extensionCodec: codec }));
  if (value.json && value.json.length > 0) return JSON.parse(Buffer.from(value.json).toString('utf8')) as unknown;
  return null;
}

/** Any other extension is not a value we can know: Terraform's own decoder treats a short one as unknown too. */
function unknownExtensions(value: unknown): unknown {
  if (value instanceof ExtData) return UNKNOWN;
  if (Array.isArray(value)) return value.map(unknownExtensions);
  if (value !== null && typeof value === 'object' && !(value instanceof Unknown) && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unknownExtensions(v)]));
  }
  return value;
}

export function encodeDynamicValue(value: unknown): { msgpack: Buffer } {
  return { msgpack: Buffer.from(encode(value, { extensionCodec: codec, ignoreUndefined: false })) };
}

/** True when the value, or anything inside it, is not known yet. */
export function containsUnknown(value: unknown): boolean {
  if (value instanceof Unknown) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsUnknown);
  return false;
}
