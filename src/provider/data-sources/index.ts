import type { DataSource } from '../data-source';
import { serviceLastAccessed } from './service-last-accessed';

/** Every data source the provider serves. */
export const DATA_SOURCES: readonly DataSource[] = [serviceLastAccessed];
