import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProviderService } from './provider-service';

/** The .proto files ship at the package root (`proto/`), two levels above both src/provider and dist/provider. */
export const PROTO_DIR = join(__dirname, '..', '..', 'proto');

interface Loaded {
  provider: grpc.ServiceDefinition;
  controller: grpc.ServiceDefinition;
  health: grpc.ServiceDefinition;
}

function loadServices(): Loaded {
  const definition = protoLoader.loadSync(['tfplugin6.proto', 'go-plugin.proto', 'health.proto'], {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const service = (name: string): grpc.ServiceDefinition => definition[name] as grpc.ServiceDefinition;
  return { provider: service('tfplugin6.Provider'), controller: service('plugin.GRPCController'), health: service('grpc.health.v1.Health') };
}

type Unary = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => void;

/** An async handler as a gRPC unary handler: an exception becomes an INTERNAL status, never a crash. */
function unary(handler: (request: Record<string, unknown>) => unknown): Unary {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback({ code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) }),
      );
  };
}

export interface ServerCallbacks {
  /** GRPCController.Shutdown: Terraform is done with this provider. */
  onShutdown(): void;
}

/**
 * The gRPC server with the provider, the health service ("plugin" SERVING) and go-plugin's controller. `provider`
 * gives the provider service when the first provider call arrives: its data sources, decisions and AWS clients load
 * after the handshake, which Terraform waits for.
 */
export function buildServer(provider: () => ProviderService, callbacks: ServerCallbacks): grpc.Server {
  const loaded = loadServices();
  const server = new grpc.Server();
  const resource = unary(() => provider().resourceRpc());
  server.addService(loaded.provider, {
    GetMetadata: unary(() => provider().getMetadata()),
    GetProviderSchema: unary(() => provider().getProviderSchema()),
    ValidateProviderConfig: unary((r) => provider().validateProviderConfig(r.config as never)),
    ValidateResourceConfig: resource,
    ValidateDataResourceConfig: unary((r) => provider().validateDataResourceConfig(r.type_name as string, r.config as never)),
    UpgradeResourceState: resource,
    ConfigureProvider: unary((r) => provider().configureProvider(r.config as never)),
    ReadResource: resource,
    PlanResourceChange: resource,
    ApplyResourceChange: resource,
    ImportResourceState: resource,
    ReadDataSource: unary((r) =>
      provider().readDataSource(r.type_name as string, r.config as never, (r.client_capabilities as { deferral_allowed?: boolean } | null)?.deferral_allowed === true),
    ),
    GetFunctions: unary(() => ({ diagnostics: [] })),
    StopProvider: unary(() => provider().stopProvider()),
  });
  server.addService(loaded.controller, {
    Shutdown: unary(() => {
      setImmediate(() => callbacks.onShutdown());
      return {};
    }),
  });
  server.addService(loaded.health, {
    Check: (call: grpc.ServerUnaryCall<{ service?: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const name = call.request.service ?? '';
      callback(null, { status: name === '' || name === 'plugin' ? 'SERVING' : 'SERVICE_UNKNOWN' });
    },
  });
  return server;
}
