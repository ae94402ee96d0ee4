// Rolls the public declarations into one file (dist/public.d.ts) with API Extractor: only what src/index.ts exports
// and what that references, so the published types never pull in internal declarations that name the AWS SDK,
// @types/node or a CDK core. Fails on any compiler or extractor warning.
const path = require('path');
const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');

const config = ExtractorConfig.loadFileAndPrepare(path.join(__dirname, '..', 'api-extractor.json'));
const problems = [];
const result = Extractor.invoke(config, {
  localBuild: true,
  messageCallback(message) {
    if (message.logLevel === 'warning' || message.logLevel === 'error') problems.push(message.formatMessageWithLocation(config.projectFolder));
    message.handled = true;
  },
});
if (!result.succeeded || problems.length > 0) {
  for (const problem of problems) console.error(`build-types: ${problem}`);
  console.error(`build-types: API Extractor failed (${result.errorCount} error(s), ${result.warningCount} warning(s))`);
  process.exit(1);
}
console.log(`build-types: ${path.relative(config.projectFolder, config.untrimmedFilePath)}`);
