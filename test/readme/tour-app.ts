import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The README's tour as an app: every ```ts block between "## A five-minute tour" and the next "## " heading, with
// the `import` lines hoisted to the top of a `cdktf init` project's main.ts and the rest, in order, put where the
// template says `// define resources here` — what the README tells a reader to do. Shared by the README test
// (test/readme/tour.test.ts) and the tarball tier (real `cdktf init` / `cdktn init` projects).

const REPO_ROOT = join(__dirname, '..', '..');
export const README = join(REPO_ROOT, 'README.md');

export type Core = 'cdktf' | 'cdktn';

/** The tour's section of the README. */
export function tourSection(readme: string = readFileSync(README, 'utf8')): string {
  const start = readme.indexOf('\n## A five-minute tour');
  if (start < 0) throw new Error('README.md has no "## A five-minute tour" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The TypeScript blocks of the tour, in order. */
export function tourBlocks(readme?: string): string[] {
  return [...tourSection(readme).matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** The `### N. …` headings of the tour. */
export function tourHeadings(readme?: string): string[] {
  return [...tourSection(readme).matchAll(/^### (.*)$/gm)].map((m) => m[1]!);
}

interface Assembled {
  readonly imports: string[];
  readonly body: string;
}

/** Splits the blocks into their import declarations (possibly multi-line) and everything else. */
export function assemble(blocks: readonly string[], core: Core): Assembled {
  const imports: string[] = [];
  const body: string[] = [];
  for (const block of blocks) {
    const rest = block.replace(/^import [\s\S]*? from '[^']+';\n/gm, (declaration) => {
      imports.push(declaration.trimEnd());
      return '';
    });
    body.push(rest.trim());
  }
  const forCore = (text: string) =>
    core === 'cdktf' ? text : text.replace(/from 'cdktf'/g, "from 'cdktn'").replace(/'@cdktf\/provider-aws\//g, "'@cdktn/provider-aws/");
  return { imports: imports.map(forCore), body: forCore(body.join('\n\n')) };
}

/**
 * main.ts of an init template (`cdktf init` / `cdktn init --template=typescript`) with the tour in it. `edit` may
 * change the tour's body first (e.g. attach today's policy instead of the tightened one).
 */
export function tourMain(templateMain: string, core: Core, edit: (body: string) => string = (b) => b): string {
  const { imports, body } = assemble(tourBlocks(), core);
  const marker = '    // define resources here';
  if (!templateMain.includes(marker)) throw new Error(`the template's main.ts has no "${marker.trim()}" line`);
  const importLine = new RegExp(`^import \\{ App, TerraformStack \\} from "${core}";$`, 'm');
  if (!importLine.test(templateMain)) throw new Error(`the template's main.ts does not import App and TerraformStack from "${core}"`);
  const indented = edit(body)
    .split('\n')
    .map((line) => (line === '' ? '' : `    ${line}`))
    .join('\n');
  return templateMain.replace(importLine, (line) => `${line}\n${imports.join('\n')}`).replace(marker, indented);
}

/** The tour's own edit for "while the stack still attaches today's policy": the attachment gets the current one. */
export function attachTodaysPolicy(body: string): string {
  const tightened = "policy: tight.json }";
  if (!body.includes(tightened)) throw new Error(`the tour no longer attaches "${tightened}": update attachTodaysPolicy`);
  return body.replace(tightened, 'policy: currentPolicyJson }');
}
