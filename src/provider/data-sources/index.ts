import type { DataSource } from '../data-source';
import { organizationsAccessReport } from './organizations-access-report';
import { policiesGrantingServiceAccess } from './policies-granting-service-access';
import { serviceLastAccessed } from './service-last-accessed';
import { tightenedPolicy } from './tightened-policy';
import { unusedPermissions } from './unused-permissions';

/** Every data source the provider serves. */
export const DATA_SOURCES: readonly DataSource[] = [
  serviceLastAccessed,
  unusedPermissions,
  tightenedPolicy,
  organizationsAccessReport,
  policiesGrantingServiceAccess,
];
