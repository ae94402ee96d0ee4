import { loadActionCatalog } from '../../src/iam/action-catalog';
import type { World } from '../../src/emulator/types';

/**
 * The world every fan-out scenario runs against: one account, an admin user whose key signs every request, and
 * `principals` roles. Each role's policy allows the first `services` service namespaces of the action catalog
 * (so its report lists exactly that many services) and a few of them saw use. Action-level data is tracked for the
 * first TRACKED_SERVICES namespaces, roughly how many services IAM tracks actions for today, so a 400-service
 * ACTION_LEVEL report carries thousands of tracked actions and a 20-service one carries every action of its services.
 */
export const BENCH_ACCOUNT = '123456789012';
export const BENCH_ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const BENCH_SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const TRACKED_SERVICES = 120;

export interface WorldShape {
  readonly principals: number;
  readonly services: number;
}

export function roleArn(i: number): string {
  return `arn:aws:iam::${BENCH_ACCOUNT}:role/bench-role-${String(i).padStart(4, '0')}`;
}

export function scenarioWorld(shape: WorldShape): World {
  const namespaces = loadActionCatalog().services();
  if (shape.services > namespaces.length) {
    throw new Error(`services: ${shape.services} is more than the catalog's ${namespaces.length} service namespaces`);
  }
  const allowed = namespaces.slice(0, shape.services);
  const roles = Array.from({ length: shape.principals }, (_, i) => ({
    account: BENCH_ACCOUNT,
    name: `bench-role-${String(i).padStart(4, '0')}`,
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
    users: [
      {
        account: BENCH_ACCOUNT,
        name: 'bench-admin',
        inlinePolicies: { all: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
      },
    ],
    roles,
    accessKeys: [{ id: BENCH_ACCESS_KEY, secret: BENCH_SECRET_KEY, owner: `arn:aws:iam::${BENCH_ACCOUNT}:user/bench-admin` }],
    events,
    settings: { trackedActionServices: namespaces.slice(0, TRACKED_SERVICES) },
  };
}
