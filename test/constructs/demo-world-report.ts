import { join } from 'node:path';
import { startEmulator } from '../../src/emulator';
import { runServiceLastAccessedReport } from '../../src/iam/index';
import type { ServiceLastAccessedReport as ReportModel } from '../../src/model/report';

export const DEMO_ACCOUNT = '123456789012';
export const DEPLOYER_ARN = `arn:aws:iam::${DEMO_ACCOUNT}:role/app-deployer`;

/**
 * app-deployer's report from the demo world (examples/world.json), read through the engine from the emulator, as
 * `cdktf synth` would read it. In that world app-deployer used s3, lambda and iam, never dynamodb or sqs.
 */
export async function demoDeployerReport(granularity: 'SERVICE_LEVEL' | 'ACTION_LEVEL' = 'SERVICE_LEVEL'): Promise<ReportModel> {
  const emulator = await startEmulator({ world: join(__dirname, '..', '..', 'examples', 'world.json'), port: 0, seed: 11, jobs: { durationMs: 20 } });
  try {
    return await runServiceLastAccessedReport(
      { arn: DEPLOYER_ARN, granularity },
      {
        endpoint: emulator.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
        pollSchedule: { firstDelayMs: 10, maxDelayMs: 50 },
      },
    );
  } finally {
    await emulator.close();
  }
}
