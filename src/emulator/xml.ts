import { XMLBuilder } from 'fast-xml-parser';

export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/**
 * A result node: scalars, nested nodes, or lists. A list renders as `<member>` items; an empty list renders as
 * `<X/>` (IAM's form for an empty required list). Undefined members are left out.
 */
export type XmlValue = string | number | boolean | Date | undefined | XmlNode | XmlList;
export interface XmlNode {
  [key: string]: XmlValue;
}
export class XmlList {
  constructor(readonly items: readonly (XmlNode | string)[]) {}
}
export const list = (items: readonly (XmlNode | string)[]) => new XmlList(items);

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  format: false,
});

function toBuilderShape(value: XmlValue): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof XmlList) {
    if (value.items.length === 0) return '';
    return { member: value.items.map((item) => (typeof item === 'string' ? item : toBuilderShape(item))) };
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (child !== undefined) out[key] = toBuilderShape(child);
    }
    return out;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  return value;
}

export function renderResult(action: string, result: XmlNode, requestId: string, xmlns: string = IAM_XMLNS): string {
  const document = {
    [`${action}Response`]: {
      '@_xmlns': xmlns,
      [`${action}Result`]: toBuilderShape(result),
      ResponseMetadata: { RequestId: requestId },
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(document) as string}`;
}

export function renderError(type: string, code: string, message: string, requestId: string, xmlns: string = IAM_XMLNS): string {
  const document = {
    ErrorResponse: {
      '@_xmlns': xmlns,
      Error: { Type: type, Code: code, Message: message },
      RequestId: requestId,
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(document) as string}`;
}
