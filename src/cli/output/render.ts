import type { OutputFormat } from './formats';
import { CliInputError } from '../exit-codes';
import type * as Documents from '../../report/document';
import type * as Views from '../../report/views';

/** The JSON data model of a result: what --query sees and what json/yaml print. */
export function toJsonValue(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** Parses --query up front, so a typo fails in milliseconds (exit 2) instead of after the jobs have run. */
export function checkQuery(query: string | undefined): void {
  if (query === undefined) return;
  // The typings of jmespath omit compile(), which the library exports.
  const jmespath = require('jmespath') as { compile(expression: string): unknown };
  const unterminated = unterminatedQuote(query);
  if (unterminated) {
    throw new CliInputError(`--query: ${JSON.stringify(query)} is not a valid JMESPath expression (unterminated ${unterminated})`);
  }
  try {
    jmespath.compile(query);
  } catch (error) {
    throw new CliInputError(`--query: ${JSON.stringify(query)} is not a valid JMESPath expression (${(error as Error).message})`);
  }
}

/** The jmespath library accepts an unclosed literal (`` ` ``) or string as if it were closed: we do not. */
function unterminatedQuote(query: string): string | undefined {
  const names: Record<string, string> = { '`': 'JSON literal (`)', "'": "raw string (')", '"': 'quoted identifier (")' };
  let open: string | undefined;
  for (let i = 0; i < query.length; i++) {
    const c = query[i]!;
    if (open === undefined) {
      if (c in names) open = c;
    } else if (c === '\\') {
      i++;
    } else if (c === open) {
      open = undefined;
    }
  }
  return open === undefined ? undefined : names[open];
}

/** Applies a JMESPath expression to the JSON form of a result, before formatting, as the AWS CLI does. */
export function applyQuery(value: unknown, query: string | undefined): unknown {
  if (query === undefined) return value;
  // Lazy: only commands that use --query pay for the parser.
  const jmespath = require('jmespath') as typeof import('jmespath');
  try {
    return jmespath.search(toJsonValue(value) as Parameters<typeof jmespath.search>[0], query);
  } catch (error) {
    throw new CliInputError(`--query: ${JSON.stringify(query)} is not a valid JMESPath expression (${(error as Error).message})`);
  }
}

export interface FormatOptions {
  /** ANSI emphasis in table output; only when stdout is a terminal. */
  readonly color?: boolean;
  readonly now?: Date;
  /** For an HTML organizations report: account and OU names by id. */
  readonly entityNames?: ReadonlyMap<string, string>;
}

/** `access-advisor 0.1.0`: names the generator in an HTML report. */
function generatorName(): string {
  try {
    return `access-advisor ${(require('../../../package.json') as { version: string }).version}`;
  } catch {
    return 'access-advisor';
  }
}

export function formatResult(value: unknown, format: OutputFormat, options: FormatOptions = {}): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(value ?? null, null, 2)}\n`;
    case 'yaml': {
      const YAML = require('yaml') as typeof import('yaml');
      return YAML.stringify(toJsonValue(value));
    }
    // Lazy, as yaml and html are: every command loads this module at start, and json (the default) needs neither the
    // document model nor the views (and through them the analysis rules).
    case 'table': {
      const { ANSI, PLAIN, renderText } = require('../../report/document') as typeof Documents;
      const { toDocs } = require('../../report/views') as typeof Views;
      return renderText(toDocs(toJsonValue(value), options.now), options.color ? ANSI : PLAIN);
    }
    case 'markdown': {
      const { renderMarkdown } = require('../../report/document') as typeof Documents;
      const { toDocs } = require('../../report/views') as typeof Views;
      return renderMarkdown(toDocs(toJsonValue(value), options.now));
    }
    case 'html': {
      // Lazy: only --output html pays for the renderer.
      const { renderHtml } = require('../../report/html') as typeof import('../../report/html');
      const { analysisScpProposer } = require('../../report/html/scp') as typeof import('../../report/html/scp');
      const json = toJsonValue(value);
      const proposeScp = (json as { kind?: unknown } | null)?.kind === 'organizations-access' ? analysisScpProposer() : undefined;
      return renderHtml(json, {
        ...(options.now ? { now: options.now } : {}),
        generator: generatorName(),
        ...(proposeScp ? { proposeScp } : {}),
        ...(options.entityNames ? { entityNames: options.entityNames } : {}),
      });
    }
  }
}
