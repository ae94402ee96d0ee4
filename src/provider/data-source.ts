import type { ReportRunner } from '../iam';
import type { Path } from './config-values';
import type { BlockSpec } from './schema';

/** What a data source may use while it reads: the provider's one engine (shared by every read of the process). */
export interface ReadContext {
  /** The shared engine; rejects when the provider is not configured yet or was stopped. */
  runner(): Promise<ReportRunner>;
  /** Aborted by StopProvider (Ctrl-C in Terraform). */
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/**
 * One `data "accessadvisor_…"` type. `validate` sees the configuration as written (values may be unknown) and throws
 * ConfigProblem; `read` gets a wholly known configuration and returns the state object (every attribute present),
 * or throws (a ConfigProblem, or the engine's typed error).
 */
export interface DataSource {
  readonly typeName: string;
  readonly schema: BlockSpec;
  validate(config: Record<string, unknown>): void;
  read(config: Record<string, unknown>, context: ReadContext): Promise<Record<string, unknown>>;
}

/** An engine input error (field named in camelCase) becomes a problem at the matching attribute. */
export type FieldMap = Readonly<Record<string, Path>>;
