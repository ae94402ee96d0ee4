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
  const out: Record<string, unknown> = {};
  for (const attribute of block.attributes) out[attribute.name] = conform(attribute.type, value[attribute.name]);
  for (const nested of block.blocks ?? []) {
    const inner = value[nested.name];
    out[nested.name] = inner === null || inner === undefined ? null : conformBlock(nested.block, inner as Record<string, unknown>);
  }
  return out;
}

function conform(type: TfType, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof type === 'string') return value;
  const [kind, inner] = type;
  if (kind === 'list') return (value as unknown[]).map((v) => conform(inner as TfType, v));
  if (kind === 'map') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, conform(inner as TfType, v)]));
  const attributes = inner as Record<string, TfType>;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(Object.entries(attributes).map(([name, t]) => [name, conform(t, object[name])]));
}
