import { appendFileSync } from 'node:fs';

// Test tiers that need an outside tool (real cdktf/cdktn CLIs, Terraform, a browser) report whether they ran, so
// CI can say which tiers ran and, for one that could not, why — never a silent skip. Each report is one line
// appended to the file named by ACCESS_ADVISOR_TIER_LOG (`.ci/run` sets it and prints the file after jest; without
// the variable, e.g. a single `npx jest file`, reports go nowhere). Lines are short single writes with O_APPEND,
// so parallel jest workers do not interleave them.
export const TIER_LOG_ENV = 'ACCESS_ADVISOR_TIER_LOG';

/** One line: `ran <tier>: <what>` or `NOT RUN <tier>: <why>`. */
function report(line: string): void {
  const file = process.env[TIER_LOG_ENV];
  if (file) appendFileSync(file, `${line.replace(/\s+/g, ' ').trim()}\n`);
}

/** The tier ran: what it covered (e.g. "cdktf synth of 4 examples"). Call it once its tests have run. */
export function tierRan(tier: string, what: string): void {
  report(`ran ${tier}: ${what}`);
}

/** The tier could not run here, and why (e.g. "terraform is not on PATH"). One line. */
export function tierNotRun(tier: string, why: string): void {
  report(`NOT RUN ${tier}: ${why}`);
}
