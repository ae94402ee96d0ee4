import type { DataSource } from '../data-source';
import { serviceLastAccessed } from './service-last-accessed';
import { tightenedPolicy } from './tightened-policy';
import { unusedPermissions } from './unused-permissions';

/** Every data source the provider serves. */
export const DATA_SOURCES: readonly DataSource[] = [serviceLastAccessed, unusedPermissions, tightenedPolicy];
