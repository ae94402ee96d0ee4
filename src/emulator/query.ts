import { ApiError } from './api-error';

/**
 * The parameters of an AWS Query request (form body and/or query string). Lists arrive as `Name.member.N`
 * (1-based); an empty list as `Name=`.
 */
export class QueryParams {
  private readonly values = new Map<string, string>();

  constructor(...sources: string[]) {
    for (const source of sources) {
      for (const [key, value] of new URLSearchParams(source)) this.values.set(key, value);
    }
  }

  get action(): string | undefined {
    return this.values.get('Action');
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  string(name: string): string | undefined {
    return this.values.get(name);
  }

  required(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) {
      throw new ApiError(400, 'MissingParameter', `The request must contain the parameter ${name}.`);
    }
    return value;
  }

  integer(name: string): number | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) throw new ApiError(400, 'InvalidInput', `${name}: "${raw}" is not an integer.`);
    return Number(raw);
  }

  /** Undefined when the list was not sent at all. */
  list(name: string): string[] | undefined {
    const prefix = `${name}.member.`;
    const items: [number, string][] = [];
    for (const [key, value] of this.values) {
      if (key.startsWith(prefix)) {
        const index = Number(key.slice(prefix.length));
        if (!Number.isInteger(index) || index < 1) {
          throw new ApiError(400, 'InvalidInput', `${key}: list members are numbered from 1.`);
        }
        items.push([index, value]);
      }
    }
    if (items.length === 0) return this.values.has(name) ? [] : undefined;
    return items.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
  }

  /** A list of structures (`Tags.member.1.Key`, `Tags.member.1.Value`, …), in member order; undefined when not sent. */
  structList(name: string): Record<string, string>[] | undefined {
    const prefix = `${name}.member.`;
    const members = new Map<number, Record<string, string>>();
    for (const [key, value] of this.values) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const dot = rest.indexOf('.');
      const index = Number(dot < 0 ? rest : rest.slice(0, dot));
      if (!Number.isInteger(index) || index < 1 || dot < 0) {
        throw new ApiError(400, 'InvalidInput', `${key}: list members are numbered from 1 and name a field (${prefix}1.Key).`);
      }
      const member = members.get(index) ?? {};
      member[rest.slice(dot + 1)] = value;
      members.set(index, member);
    }
    if (members.size === 0) return this.values.has(name) ? [] : undefined;
    return [...members].sort((a, b) => a[0] - b[0]).map(([, member]) => member);
  }

  entries(): [string, string][] {
    return [...this.values];
  }
}
