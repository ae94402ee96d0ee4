import type { ServiceLastAccessed, ServiceLastAccessedReport, TrackedActionLastAccessed } from '../../src/model/report';

/** The reference time of every analysis test; the report below completed one day earlier. */
export const NOW = '2026-06-01T00:00:00.000Z';
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/app';
export const RECENT = '2026-05-20T10:00:00Z'; // 12 days before NOW
export const OLD = '2026-01-01T00:00:00Z'; // 151 days before NOW

export function service(namespace: string, lastAuthenticated?: string, tracked?: Record<string, string | undefined>): ServiceLastAccessed {
  return {
    serviceName: `Service ${namespace}`,
    serviceNamespace: namespace,
    ...(lastAuthenticated ? { lastAuthenticated, totalAuthenticatedEntities: 1 } : { totalAuthenticatedEntities: 0 }),
    ...(tracked
      ? {
          trackedActionsLastAccessed: Object.entries(tracked).map(
            ([actionName, lastAccessedTime]): TrackedActionLastAccessed => ({ actionName, ...(lastAccessedTime ? { lastAccessedTime } : {}) }),
          ),
        }
      : {}),
  };
}

export function report(
  services: readonly ServiceLastAccessed[],
  overrides: Partial<ServiceLastAccessedReport> = {},
): ServiceLastAccessedReport {
  const granularity = services.some((s) => s.trackedActionsLastAccessed) ? 'ACTION_LEVEL' : 'SERVICE_LEVEL';
  return {
    schemaVersion: 1,
    kind: 'service-last-accessed',
    arn: ROLE_ARN,
    granularity,
    withEntities: false,
    jobId: 'examplef-1305-c245-eba4-71fe298bcda7',
    jobStatus: 'COMPLETED',
    jobCreationDate: '2026-05-30T23:59:00.000Z',
    jobCompletionDate: '2026-05-31T00:00:00.000Z',
    principalCreateDate: '2024-01-01T00:00:00Z',
    servicesLastAccessed: services,
    ...overrides,
    // A job is created before it completes: a test that moves the completion moves the creation with it.
    ...(overrides.jobCompletionDate !== undefined && overrides.jobCreationDate === undefined
      ? { jobCreationDate: new Date(Date.parse(overrides.jobCompletionDate) - 60_000).toISOString() }
      : {}),
  };
}

export function allow(action: string | string[], resource: string | string[] = '*', extra: Record<string, unknown> = {}) {
  return { Effect: 'Allow' as const, Action: action, Resource: resource, ...extra };
}

export function doc(...statements: object[]) {
  return { Version: '2012-10-17', Statement: statements } as never;
}
