// One synth in its own process, for the "two synths at once" test: argv = cacheFile endpoint roleName...
import { TerraformOutput, TerraformStack, Testing } from '../default-core';
import { ServiceLastAccessedReport } from '../../src/constructs/service-last-accessed-report';
import { roleArn } from './synth-world';

const [cacheFile, endpoint, ...roles] = process.argv.slice(2);
const app = Testing.app({ context: { 'accessAdvisor:cacheFile': cacheFile } });
const stack = new TerraformStack(app, 'stack');
roles.forEach((role, i) => {
  const report = new ServiceLastAccessedReport(stack, `r${i}`, { arn: roleArn(role), endpoint, timeout: '60s' });
  new TerraformOutput(stack, `unused${i}`, { value: report.unusedServices() });
});
Testing.fullSynth(stack);
