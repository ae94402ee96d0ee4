import type { IConstruct } from 'constructs';
import type { CdkCore, TerraformStack } from './cdk-core';

/**
 * The app as Terraform will read it: every block (resource, data source, local, output, module, variable, provider,
 * terraform settings) of every stack, with its configuration resolved the way synth resolves it — escape hatches
 * (`addOverride`), functions and references included. Grant discovery reads this, not the construct types, so that
 * no route to a principal can hide behind a construct it does not know.
 */
export interface RenderedBlock {
  readonly element: IConstruct;
  readonly stack: TerraformStack;
  /** `resource`, `data`, `locals`, `output`, `module`, `variable`, `provider`, `terraform`, … */
  readonly section: string;
  /** The resource or data source type (`aws_iam_role_policy`); undefined for other sections. */
  readonly type?: string;
  /** The Terraform address: `aws_iam_role_policy.p`, `data.aws_iam_policy_document.d`, `local.x`, `module.m` … */
  readonly address: string;
  /** The block's configuration, resolved (undefined when it could not be resolved: see `error`). */
  readonly config: unknown;
  /** The block's configuration with tokens unresolved (a construct's token is recognised by identity). */
  readonly raw: unknown;
  readonly error?: string;
}

/** Elements that only read a principal (this package's own plan-time report data sources): never grant routes. */
export type ElementFilter = (element: IConstruct) => boolean;

export function renderApp(core: CdkCore, scope: IConstruct, skip: ElementFilter): RenderedBlock[] {
  const stacks = scope.node.root.node.findAll().filter((c) => core.TerraformStack.isStack(c)) as TerraformStack[];
  return stacks.flatMap((stack) => renderStack(core, stack, skip));
}

function renderStack(core: CdkCore, stack: TerraformStack, skip: ElementFilter): RenderedBlock[] {
  const out: RenderedBlock[] = [];
  for (const element of stack.node.findAll()) {
    if (element === stack || !isElement(element) || core.TerraformStack.isStack(element) || core.TerraformStack.of(element) !== stack || skip(element)) continue;
    let raw: unknown;
    let resolved: unknown;
    let error: string | undefined;
    try {
      raw = element.toTerraform();
      resolved = core.Tokenization.resolve(raw, { scope: stack, resolver: new core.DefaultTokenResolver(new core.StringConcat()) });
    } catch (e) {
      error = (e as Error).message.split('\n')[0];
    }
    if (error !== undefined || !isObject(resolved)) {
      out.push({ element, stack, section: 'element', address: element.node.path, config: undefined, raw, error: error ?? 'renders no configuration' });
      continue;
    }
    for (const [section, body] of Object.entries(resolved)) {
      if (section === '//') continue;
      const rawBody = isObject(raw) ? raw[section] : undefined;
      out.push(...blocksOf(element, stack, section, body, rawBody));
    }
  }
  return out;
}

function blocksOf(element: IConstruct, stack: TerraformStack, section: string, body: unknown, rawBody: unknown): RenderedBlock[] {
  const entries = (value: unknown) => (isObject(value) ? Object.entries(value).filter(([k]) => k !== '//') : []);
  const rawOf = (key: string) => (isObject(rawBody) ? rawBody[key] : undefined);
  switch (section) {
    case 'resource':
    case 'data':
      return entries(body).flatMap(([type, byName]) =>
        entries(byName).map(([name, config]) => ({
          element,
          stack,
          section,
          type,
          address: `${section === 'data' ? 'data.' : ''}${type}.${name}`,
          config,
          raw: isObject(rawOf(type)) ? (rawOf(type) as Record<string, unknown>)[name] : undefined,
        })),
      );
    case 'locals':
      return entries(body).map(([name, config]) => ({ element, stack, section, address: `local.${name}`, config, raw: rawOf(name) }));
    case 'output':
    case 'module':
    case 'variable':
      return entries(body).map(([name, config]) => ({ element, stack, section, address: `${section === 'variable' ? 'var' : section}.${name}`, config, raw: rawOf(name) }));
    default:
      return [{ element, stack, section, address: section, config: body, raw: rawBody }];
  }
}

/** Every string of a configuration with the path where it sits (`statement[0].resources[1]`). */
export function stringsOf(value: unknown, path = ''): { path: string; text: string }[] {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, `${path}[${i}]`));
  if (isObject(value)) {
    // Keys are attribute names or map keys (tags): data, not references.
    return Object.entries(value)
      .filter(([k]) => k !== '//')
      .flatMap(([k, v]) => stringsOf(v, path ? `${path}.${k}` : k));
  }
  return [];
}

function isElement(c: IConstruct): c is IConstruct & { toTerraform(): unknown } {
  return typeof (c as { toTerraform?: unknown }).toTerraform === 'function';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
