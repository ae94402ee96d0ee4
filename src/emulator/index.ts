/**
 * A local IAM access-advisor server driven by a world file: AWS Query protocol, SigV4, jobs, pages and faults.
 * See docs/emulator.md.
 */
import type * as Server from './server';

export { loadWorld, WorldValidationError, WORLD_SCHEMA_PATH } from './world';

/** The server (SigV4, XML, the reports) loads when an emulator starts, not when the package loads. */
export const startEmulator: typeof Server.startEmulator = (...args) => (require('./server') as typeof Server).startEmulator(...args);
export type {
  EmulatorMetrics,
  EmulatorOptions,
  FaultSettings,
  JobSettings,
  PolicyDocument as WorldPolicyDocument,
  PolicyStatement as WorldPolicyStatement,
  RunningEmulator,
  World,
  WorldAccessEvent,
  WorldAccessKey,
  WorldAccount,
  WorldGroup,
  WorldManagedPolicy,
  WorldOrganization,
  WorldOrganizationalUnit,
  WorldRole,
  WorldServiceControlPolicy,
  WorldSettings,
  WorldTime,
  WorldUser,
} from './types';
export { DEFAULT_FAULT_SETTINGS, DEFAULT_JOB_SETTINGS } from './types';
export { DEFAULT_TRACKED_ACTION_SERVICES, defaultActionTrackingStart, trackedActionsSources } from './tracked-actions';
export type { TrackedActionsSource } from './tracked-actions';
