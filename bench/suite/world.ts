import { loadActionCatalog } from '../../src/model/action-catalog';
import type { World } from '../../src/emulator/types';
import { BENCH_ACCOUNT, benchAdmin, benchRoleArn as roleArn, benchRoleName } from '../engine/fanout-world';

/**
 * The world every fan-out scenario runs against: one account, an admin user whose key signs every request, and
 * `principals` roles. Each role's policy allows the first `services` service namespaces of the action catalog
 * (so its report lists exactly that many services) and a few of them saw use. Action-level data is tracked for the
 * first TRACKED_SERVICES namespaces, roughly how many services IAM tracks actions for today, so a 400-service
 * ACTION_LEVEL report carries thousands of tracked actions and a 20-service one carries every action of its services.
 */
export { BENCH_ACCESS_KEY, BENCH_SECRET_KEY, benchRoleArn as roleArn } from '../engine/fanout-world';
export const TRACKED_SERVICES = 120;

export interface WorldShape {
  readonly principals: number;
  readonly services: number;
}

export function scenarioWorld(shape: WorldShape): World {
  const namespaces = loadActionCatalog().services();
  if (shape.services > namespaces.length) {
    throw new Error(`services: ${shape.services} is more than the catalog's ${namespaces.length} service namespaces`);
  }
  const allowed = namespaces.slice(0, shape.services);
  const roles = Array.from({ length: shape.principals }, (_, i) => ({
    account: BENCH_ACCOUNT,
    name: benchRoleName(i),
    createDate: '300d ago',
    inlinePolicies: {
      work: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: allowed.map((ns) => `${ns}:*`), Resource: '*' }] },
    },
  }));
  // A little recorded use per role, spread over the allowed services and over time.
  const events = roles.flatMap((_, i) =>
    [0, 1, 2].map((k) => {
      const ns = allowed[(i + k * 7) % allowed.length]!;
      const action = loadActionCatalog().actions(ns)[k] ?? loadActionCatalog().actions(ns)[0]!;
      return { principal: roleArn(i), action: `${ns}:${action}`, region: 'us-east-1', time: `${1 + ((i + k * 40) % 200)}d ago` };
    }),
  );
  return {
    accounts: [{ id: BENCH_ACCOUNT }],
    ...benchAdmin(),
    roles,
    events,
    settings: { trackedActionServices: namespaces.slice(0, TRACKED_SERVICES) },
  };
}
