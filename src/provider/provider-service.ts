import type { ReportRunner } from '../iam';
import { AccessAdvisorError } from '../model/errors';
import { safeMessage } from '../model/redact';
import { openReportRunner } from '../iam';
import { PHASES_ON, phaseMark } from '../iam/phase-log';
import type { DataSource, ReadContext } from './data-source';
import { DATA_SOURCES } from './data-sources';
import { ConfigProblem, errorDiagnostic, type Diagnostic } from './diagnostics';
import { containsUnknown, decodeDynamicValue, encodeDynamicValue } from './dynamic-value';
import { conformBlock, wireSchema } from './schema';
import { PROVIDER_SCHEMA, readProviderConfig, type ProviderSettings } from './provider-config';

phaseMark('provider-service-loaded');

/** The phase log's mark function when marks are on (ACCESS_ADVISOR_PHASES), for the gRPC layer's per-RPC marks. */
export const rpcMarks: ((name: string, detail?: string, at?: number) => void) | undefined = PHASES_ON ? phaseMark : undefined;

type WireValue = { msgpack?: Uint8Array | null; json?: Uint8Array | null } | null | undefined;

const NO_RESOURCES =
  'The accessadvisor provider has data sources only (accessadvisor_service_last_accessed, …); it manages no resources.';

/**
 * The tfplugin6 Provider service: schema, validation, configuration, data source reads and stop. Plain async
 * functions over decoded requests, so the gRPC layer (server.ts) stays a thin adapter.
 */
export class ProviderService {
  private settings: ProviderSettings | 'unknown' | undefined;
  private runnerPromise: Promise<ReportRunner> | undefined;
  private readonly stop = new AbortController();
  private readonly byType: ReadonlyMap<string, DataSource>;

  constructor(
    private readonly dataSources: readonly DataSource[] = DATA_SOURCES,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.byType = new Map(dataSources.map((d) => [d.typeName, d]));
  }

  getMetadata(): object {
    return {
      server_capabilities: { get_provider_schema_optional: true },
      diagnostics: [],
      data_sources: this.dataSources.map((d) => ({ type_name: d.typeName })),
      resources: [],
    };
  }

  getProviderSchema(): object {
    return {
      provider: wireSchema(PROVIDER_SCHEMA),
      resource_schemas: {},
      data_source_schemas: Object.fromEntries(this.dataSources.map((d) => [d.typeName, wireSchema(d.schema)])),
      diagnostics: [],
      server_capabilities: { get_provider_schema_optional: true },
    };
  }

  validateProviderConfig(config: WireValue): { diagnostics: Diagnostic[] } {
    return { diagnostics: problems(() => void readProviderConfig(decodeDynamicValue(config))) };
  }

  configureProvider(config: WireValue): { diagnostics: Diagnostic[] } {
    const diagnostics = problems(() => {
      this.settings = readProviderConfig(decodeDynamicValue(config));
    });
    // Only the process of a plan or apply walk is configured (the schema and validate processes are not), and in it the
    // reads follow about 20 ms later: the engine (the AWS SDK, the client) starts loading right after this answer has
    // gone out, so that gap is not lost. It saves at most the gap; a read arriving meanwhile waits for the load.
    if (diagnostics.length === 0 && this.settings !== 'unknown') setImmediate(() => void this.runner().catch(() => undefined));
    return { diagnostics };
  }

  validateDataResourceConfig(typeName: string, config: WireValue): { diagnostics: Diagnostic[] } {
    const dataSource = this.byType.get(typeName);
    if (!dataSource) return { diagnostics: [unknownType(typeName)] };
    return { diagnostics: problems(() => dataSource.validate(asObject(decodeDynamicValue(config)))) };
  }

  async readDataSource(typeName: string, config: WireValue, deferralAllowed: boolean): Promise<object> {
    const dataSource = this.byType.get(typeName);
    if (!dataSource) return { diagnostics: [unknownType(typeName)] };
    const decoded = asObject(decodeDynamicValue(config));
    // Terraform itself defers a read whose configuration is unknown at plan; if it asks anyway, defer when it can.
    if (containsUnknown(decoded) || this.settings === 'unknown') {
      if (deferralAllowed) return { deferred: { reason: this.settings === 'unknown' ? 'PROVIDER_CONFIG_UNKNOWN' : 'RESOURCE_CONFIG_UNKNOWN' }, diagnostics: [] };
      return {
        diagnostics: [
          errorDiagnostic(
            'Configuration not known yet',
            this.settings === 'unknown'
              ? 'The provider configuration depends on values known only after apply; a report cannot be read before them.'
              : 'The data source configuration has values known only after apply.',
          ),
        ],
      };
    }
    try {
      const state = await dataSource.read(decoded, this.readContext());
      return { state: encodeDynamicValue(conformBlock(dataSource.schema, state)), diagnostics: [] };
    } catch (error) {
      return { diagnostics: [readFailure(dataSource.typeName, error)] };
    }
  }

  /** Terraform's Ctrl-C: cancel every report in flight; later reads fail at once. */
  stopProvider(): { Error: string } {
    this.stop.abort();
    return { Error: '' };
  }

  /** The process is ending: close the engine's client. */
  close(): void {
    this.stop.abort();
    void this.runnerPromise?.then((runner) => runner.close(), () => undefined);
  }

  resourceRpc(): { diagnostics: Diagnostic[] } {
    return { diagnostics: [errorDiagnostic('Resources are not supported', NO_RESOURCES)] };
  }

  private readContext(): ReadContext {
    return { runner: () => this.runner(), signal: this.stop.signal, now: this.now };
  }

  /** One engine per provider process: every read of a plan shares its client, rate limit and in-flight cap. */
  private runner(): Promise<ReportRunner> {
    if (this.stop.signal.aborted) return Promise.reject(new StoppedError());
    if (!this.settings || this.settings === 'unknown') return Promise.reject(new Error('the provider was not configured'));
    const settings = this.settings;
    this.runnerPromise ??= openReportRunner({
      ...settings.connection,
      signal: this.stop.signal,
      ...(settings.requestsPerSecond !== undefined ? { requestsPerSecond: settings.requestsPerSecond } : {}),
      ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
    });
    return this.runnerPromise;
  }
}

class StoppedError extends Error {
  constructor() {
    super('the provider was stopped (Terraform was interrupted); no report was read');
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function problems(run: () => void): Diagnostic[] {
  try {
    run();
    return [];
  } catch (error) {
    if (error instanceof ConfigProblem) return [error.toDiagnostic()];
    return [errorDiagnostic('Invalid configuration', safeMessage(messageOf(error)))];
  }
}

function unknownType(typeName: string): Diagnostic {
  return errorDiagnostic('Unknown data source', `accessadvisor has no data source ${JSON.stringify(typeName)}`);
}

/** A failed read: an error diagnostic with the cause (redacted, one line) and no state. */
function readFailure(typeName: string, error: unknown): Diagnostic {
  if (error instanceof ConfigProblem) return error.toDiagnostic();
  const kind = error instanceof AccessAdvisorError ? error.name : 'Error';
  return errorDiagnostic(`${typeName}: the report could not be read`, safeMessage(`${kind}: ${messageOf(error)}`));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
