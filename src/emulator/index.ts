/**
 * A local IAM access-advisor server driven by a world file: AWS Query protocol, SigV4, jobs, pages and faults.
 * See docs/emulator.md.
 */
export { startEmulator } from './server';
export { loadWorld, WorldValidationError, WORLD_SCHEMA_PATH } from './world';
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
export { DEFAULT_FAULT_SETTINGS, DEFAULT_JOB_SETTINGS, DEFAULT_TRACKED_ACTION_SERVICES } from './types';
