
const { App, TerraformStack, TerraformOutput } = require("/work/wt/cachehit/node_modules/cdktf/lib/index.js");

const app = new App({ outdir: "/work/wt/cachehit/.tmp-module-pack-MNVF0b/out-without", context: { 'accessAdvisor:cacheFile': "/work/wt/cachehit/.tmp-module-pack-MNVF0b/access-advisor.context.json" } });
const stack = new TerraformStack(app, 'app');
new TerraformOutput(stack, 'unused', { value: ['sqs'] });
app.synth();
if (process.env.LIST_MODULES) console.log(JSON.stringify(Object.keys(require.cache)));
