
const { App, TerraformStack, TerraformOutput } = require("/work/wt/cachehit/node_modules/cdktf/lib/index.js");
const { ServiceLastAccessedReport, LeastPrivilegeGate } = require("/work/wt/cachehit/.tmp-module-pack-MNVF0b/dist/index.js");
const app = new App({ outdir: "/work/wt/cachehit/.tmp-module-pack-MNVF0b/out-with", context: { 'accessAdvisor:cacheFile': "/work/wt/cachehit/.tmp-module-pack-MNVF0b/access-advisor.context.json" } });
const stack = new TerraformStack(app, 'app');
const report = new ServiceLastAccessedReport(stack, 'report', { arn: "arn:aws:iam::123456789012:role/app", endpoint: "http://127.0.0.1:9" });
new LeastPrivilegeGate(stack, 'gate', { report, allow: [{ permission: 'sqs', reason: 'bench' }] });
new TerraformOutput(stack, 'unused', { value: report.unusedServices() });
app.synth();
if (process.env.LIST_MODULES) console.log(JSON.stringify(Object.keys(require.cache)));
