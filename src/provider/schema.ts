/**
 * Schemas as Terraform's plugin protocol describes them: attribute types are JSON type expressions ("string",
 * ["list", T], ["object", {name: T}]); nested configuration blocks have a nesting mode. The same description builds
 * the wire schema and shapes every value the provider returns (Terraform wants every attribute, null when absent).
 */
export type TfType =
  | 'string'
  | 'number'
  | 'bool'
  | readonly ['list', TfType]
  | readonly ['map', TfType]
  | readonly ['object', { readonly [name: string]: TfType }];

export interface AttributeSpec {
  readonly name: string;
  readonly type: TfType;
  readonly description: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
}

export interface BlockSpec {
  readonly description?: string;
  readonly attributes: readonly AttributeSpec[];
  /** Single nested blocks (`assume_role { … }`): an object or null. */
  readonly blocks?: readonly { readonly name: string; readonly block: BlockSpec; readonly required?: boolean }[];
}

export const listOf = (element: TfType): TfType => ['list', element] as const;
export const objectOf = (attributes: Record<string, TfType>): TfType => ['object', attributes] as const;

/** The wire form of a schema (tfplugin6.Schema), as the gRPC layer (server.ts) encodes it. */
export function wireSchema(block: BlockSpec): object {
  return { version: 0, block: wireBlock(block) };
}

function wireBlock(block: BlockSpec): object {
  return {
    version: 0,
    description: block.description ?? '',
    description_kind: 'PLAIN',
    attributes: block.attributes.map((a) => ({
      name: a.name,
      type: Buffer.from(JSON.stringify(a.type)),
      description: a.description,
      description_kind: 'PLAIN',
      required: a.required === true,
      optional: a.optional === true,
      computed: a.computed === true,
      sensitive: a.sensitive === true,
    })),
    block_types: (block.blocks ?? []).map((b) => ({
      type_name: b.name,
      block: wireBlock(b.block),
      nesting: 'SINGLE',
      min_items: b.required ? 1 : 0,
      max_items: 1,
    })),
  };
}

/**
 * The object Terraform expects for `block`: every attribute and nested block present, absent ones null, nested
 * values shaped by their type.
 */
export function conformBlock(block: BlockSpec, value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return shaperOf(block)(value);
}

type Shaper = (value: unknown) => unknown;

/**
 * One shaping function per block, built once from its schema: a read's value is shaped in plain loops over the
 * schema's own attribute lists (a 20-service ACTION_LEVEL report holds hundreds of tracked-action objects, and 50
 * reads of a plan finish together in one process).
 */
const shapers = new WeakMap<BlockSpec, (value: Readonly<Record<string, unknown>>) => Record<string, unknown>>();

function shaperOf(block: BlockSpec): (value: Readonly<Record<string, unknown>>) => Record<string, unknown> {
  let shaper = shapers.get(block);
  if (shaper) return shaper;
  const attributes = block.attributes.map((a) => [a.name, typeShaper(a.type)] as const);
  const nested = (block.blocks ?? []).map((b) => [b.name, shaperOf(b.block)] as const);
  shaper = (value) => {
    const out: Record<string, unknown> = {};
    for (const [name, shape] of attributes) out[name] = shape(value[name]);
    for (const [name, shape] of nested) {
      const inner = value[name];
      out[name] = inner === null || inner === undefined ? null : shape(inner as Record<string, unknown>);
    }
    return out;
  };
  shapers.set(block, shaper);
  return shaper;
}

function typeShaper(type: TfType): Shaper {
  if (typeof type === 'string') return (value) => (value === undefined ? null : value);
  const [kind, inner] = type;
  if (kind === 'list') {
    const element = typeShaper(inner as TfType);
    return (value) => {
      if (value === undefined || value === null) return null;
      const list = value as readonly unknown[];
      const out = new Array<unknown>(list.length);
      for (let i = 0; i < list.length; i++) out[i] = element(list[i]);
      return out;
    };
  }
  if (kind === 'map') {
    const element = typeShaper(inner as TfType);
    return (value) => {
      if (value === undefined || value === null) return null;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = element(v);
      return out;
    };
  }
  const fields = Object.entries(inner as Record<string, TfType>).map(([name, t]) => [name, typeShaper(t)] as const);
  return (value) => {
    if (value === undefined || value === null) return null;
    const object = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, shape] of fields) out[name] = shape(object[name]);
    return out;
  };
}
