import { ConfigProblem } from './diagnostics';
import { Unknown } from './dynamic-value';

/**
 * Typed reads of a decoded configuration object. Each returns the value, undefined when null/absent, or the
 * Unknown marker while Terraform does not know it yet (at plan). A value of the wrong shape is a ConfigProblem
 * naming the attribute path.
 */
export type Path = readonly (string | number)[];
export type Maybe<T> = T | undefined | Unknown;

export function objectAt(config: unknown, path: Path): Maybe<Record<string, unknown>> {
  if (config === null || config === undefined) return undefined;
  if (config instanceof Unknown) return config;
  if (typeof config !== 'object' || Array.isArray(config)) throw new ConfigProblem(path, 'Invalid block', 'expected an object');
  return config as Record<string, unknown>;
}

export function stringAt(object: Record<string, unknown>, path: Path): Maybe<string> {
  const value = object[String(path[path.length - 1])];
  if (value === null || value === undefined) return undefined;
  if (value instanceof Unknown) return value;
  if (typeof value !== 'string') throw new ConfigProblem(path, 'Invalid value', `expected a string, got ${JSON.stringify(value)}`);
  return value;
}

export function numberAt(object: Record<string, unknown>, path: Path): Maybe<number> {
  const value = object[String(path[path.length - 1])];
  if (value === null || value === undefined) return undefined;
  if (value instanceof Unknown) return value;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ConfigProblem(path, 'Invalid value', `expected a number, got ${JSON.stringify(value)}`);
  return n;
}

export function boolAt(object: Record<string, unknown>, path: Path): Maybe<boolean> {
  const value = object[String(path[path.length - 1])];
  if (value === null || value === undefined) return undefined;
  if (value instanceof Unknown) return value;
  if (typeof value !== 'boolean') throw new ConfigProblem(path, 'Invalid value', `expected true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** A list of strings; unknown if the list or any element is unknown. */
export function stringListAt(object: Record<string, unknown>, path: Path): Maybe<string[]> {
  const value = object[String(path[path.length - 1])];
  if (value === null || value === undefined) return undefined;
  if (value instanceof Unknown) return value;
  if (!Array.isArray(value)) throw new ConfigProblem(path, 'Invalid value', 'expected a list of strings');
  const out: string[] = [];
  for (const [index, element] of value.entries()) {
    if (element instanceof Unknown) return element;
    if (typeof element !== 'string') throw new ConfigProblem([...path, index], 'Invalid value', `expected a string, got ${JSON.stringify(element)}`);
    out.push(element);
  }
  return out;
}

export function isKnown<T>(value: Maybe<T>): value is T | undefined {
  return !(value instanceof Unknown);
}

/** Terraform's name for an engine field: `withEntities` → `with_entities`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
