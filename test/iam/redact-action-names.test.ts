import fc from 'fast-check';
import TRACKED from '../../src/model/data/tracked-actions.json';
import { REDACTED, containsSecret, redact } from '../../src/model/redact';

/**
 * Redaction must not eat evidence: IAM action names of 40 characters (`inspector2:BatchUpdateMemberEc2DeepInspectionStatus`)
 * have the length and the character classes of a secret access key. A report listing them is not credential
 * material; a real key still is.
 */
const NO_ENV = {};

test('no action name IAM tracks counts as a secret', () => {
  const names = Object.entries(TRACKED.services as Record<string, string[]>).flatMap(([ns, actions]) => actions.flatMap((a) => [a, `${ns}:${a}`]));
  expect(names.filter((n) => containsSecret(JSON.stringify({ actionName: n }), NO_ENV))).toEqual([]);
  expect(redact('{"actionName":"DisassociateSourceFromS3TableIntegration"}', NO_ENV)).toBe('{"actionName":"DisassociateSourceFromS3TableIntegration"}');
});

test('secret access keys are still redacted, also without / or +', () => {
  for (const key of ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'je7MtGbClwBF2Zp9Utkh3yCo8nvbEXAMPLEKEY0A', 'Ab3defGhijKlmnoPqrstUvwxYz0123456789AbCd']) {
    expect(redact(`secret ${key} here`, NO_ENV)).toBe(`secret ${REDACTED} here`);
  }
});

test('random 40-character keys are redacted (property)', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const key = fc
    .array(fc.integer({ min: 0, max: 63 }), { minLength: 40, maxLength: 40 })
    .map((ix) => ix.map((i) => alphabet[i]).join(''))
    .filter((k) => /[A-Z]/.test(k) && /[a-z]/.test(k) && /[0-9]/.test(k));
  fc.assert(fc.property(key, (k) => redact(`"${k}"`, NO_ENV) === `"${REDACTED}"`), { numRuns: 2000 });
});
