import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import type { ProviderService } from './provider-service';

/** The .proto files ship at the package root (`proto/`), two levels above both src/provider and dist/provider. */
export const PROTO_DIR = join(__dirname, '..', '..', 'proto');

interface Loaded {
  provider: grpc.ServiceDefinition;
  controller: grpc.ServiceDefinition;
  health: grpc.ServiceDefinition;
}

/**
 * The services of the .proto files as gRPC service definitions, built from protobufjs directly: the messages are
 * plain objects with the .proto field names, int64 as numbers, enums as their names, absent fields as defaults and
 * oneofs named (what @grpc/proto-loader's loadSync makes with those options). loadSync also builds descriptor protos
 * of every file for gRPC reflection, which the provider never serves; that and loading the library cost each of
 * Terraform's three provider starts per plan tens of milliseconds before the handshake.
 */
function loadServices(): Loaded {
  const root = typeof PROVIDER_PROTO_JSON === 'undefined' ? protoFilesRoot() : protobuf.Root.fromJSON(PROVIDER_PROTO_JSON);
  root.resolveAll();
  return { provider: serviceDefinition(root, 'tfplugin6.Provider'), controller: serviceDefinition(root, 'plugin.GRPCController'), health: serviceDefinition(root, 'grpc.health.v1.Health') };
}

/** The .proto files, parsed. */
export function protoFilesRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync(['tfplugin6.proto', 'go-plugin.proto', 'health.proto'], { keepCase: true });
  return root;
}

/**
 * In the provider's bundle, the same .proto files as protobufjs JSON (`protoFilesRoot().toJSON()`), put there by
 * scripts/bundle-provider.js: reading that is several times cheaper than parsing the .proto text on each of
 * Terraform's provider starts. Undefined outside the bundle (sources, tests), where the files are parsed.
 */
declare const PROVIDER_PROTO_JSON: protobuf.INamespace | undefined;

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };

function serviceDefinition(root: protobuf.Root, name: string): grpc.ServiceDefinition {
  const service = root.lookupService(name);
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    const request = method.resolvedRequestType!;
    const response = method.resolvedResponseType!;
    definition[method.name] = {
      path: `/${name}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: (value: object) => Buffer.from(request.encode(request.fromObject(value)).finish()),
      requestDeserialize: (bytes: Buffer) => request.toObject(request.decode(bytes), TO_OBJECT),
      responseSerialize: (value: object) => Buffer.from(response.encode(response.fromObject(value)).finish()),
      responseDeserialize: (bytes: Buffer) => response.toObject(response.decode(bytes), TO_OBJECT),
    };
  }
  return definition as grpc.ServiceDefinition;
}

type Unary = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => void;

/** An async handler as a gRPC unary handler: an exception becomes an INTERNAL status, never a crash. */
function unary(handler: (request: Record<string, unknown>) => unknown, name = ''): Unary {
  return (call, callback) => {
    marks?.(`rpc:${name}`, 'start');
    Promise.resolve()
      .then(() => handler(call.request))
      .then(
        (response) => {
          marks?.(`rpc:${name}`, 'end');
          callback(null, response);
        },
        (error: unknown) => callback({ code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) }),
      );
  };
}

/**
 * The bench's per-RPC timing marks (ACCESS_ADVISOR_PHASES): the mark function of the engine's phase log, handed over
 * once the provider service has loaded it (this file is bundled into the start path, which must not load the engine's
 * modules). Calls before that are not marked.
 */
let marks: ((name: string, detail?: string, at?: number) => void) | undefined;
export function setRpcMarks(mark: ((name: string, detail?: string, at?: number) => void) | undefined): void {
  marks = mark;
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
    GetMetadata: unary(() => provider().getMetadata(), 'GetMetadata'),
    GetProviderSchema: unary(() => provider().getProviderSchema(), 'GetProviderSchema'),
    ValidateProviderConfig: unary((r) => provider().validateProviderConfig(r.config as never), 'ValidateProviderConfig'),
    ValidateResourceConfig: resource,
    ValidateDataResourceConfig: unary((r) => provider().validateDataResourceConfig(r.type_name as string, r.config as never), 'ValidateDataResourceConfig'),
    UpgradeResourceState: resource,
    ConfigureProvider: unary((r) => provider().configureProvider(r.config as never), 'ConfigureProvider'),
    ReadResource: resource,
    PlanResourceChange: resource,
    ApplyResourceChange: resource,
    ImportResourceState: resource,
    ReadDataSource: unary(
      (r) => provider().readDataSource(r.type_name as string, r.config as never, (r.client_capabilities as { deferral_allowed?: boolean } | null)?.deferral_allowed === true),
      'ReadDataSource',
    ),
    GetFunctions: unary(() => ({ diagnostics: [] }), 'GetFunctions'),
    StopProvider: unary(() => provider().stopProvider(), 'StopProvider'),
  });
  server.addService(loaded.controller, {
    Shutdown: unary(() => {
      setImmediate(() => callbacks.onShutdown());
      return {};
    }, 'Shutdown'),
  });
  server.addService(loaded.health, {
    Check: (call: grpc.ServerUnaryCall<{ service?: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const name = call.request.service ?? '';
      callback(null, { status: name === '' || name === 'plugin' ? 'SERVING' : 'SERVICE_UNKNOWN' });
    },
  });
  return server;
}
