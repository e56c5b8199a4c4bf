/**
 * The one password policy, for the CLI (create-admin), the users API and so the console:
 * 8 to 256 characters (upstream's bounds, NIST SP 800-63B's minimum) and not guessable, as
 * judged by zxcvbn-ts with its common-password, name and keyboard-pattern lists (a maintained
 * library, not a list of our own), taking the user's own email and name into account.
 */
import { createRequire } from 'node:module';
import { invalidValue } from './errors/catalogue.ts';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
/** zxcvbn's 0–4 scale: 3 is "safely unguessable" (about 10^8 guesses or more). */
export const PASSWORD_MIN_SCORE = 3;
/** zxcvbn's time grows with length; beyond this many characters a password is judged by its start. */
const SCORED_LENGTH = 100;

/**
 * zxcvbn and its lists are loaded and indexed on the first password checked, not at start-up
 * (building its dictionaries was about 7 % of a cold start; docs/benchmarks.md, issue 22).
 */
let scorer: typeof import('@zxcvbn-ts/core').zxcvbn | null = null;
function zxcvbn(password: string, inputs: string[]) {
  if (!scorer) {
    const require = createRequire(import.meta.url);
    const core = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    core.zxcvbnOptions.setOptions({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
    scorer = core.zxcvbn;
  }
  return scorer(password, inputs);
}

/** Why the password is refused, in a sentence a person can act on; null when it is accepted. */
export function passwordProblem(password: string, userInputs: string[] = []): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `The password must be at least ${PASSWORD_MIN_LENGTH} characters long.`;
  if (length > PASSWORD_MAX_LENGTH) return `The password must be at most ${PASSWORD_MAX_LENGTH} characters long.`;
  const inputs = userInputs.flatMap((u) => [u, ...u.split(/[@.\s]+/)]).filter((u) => u.length >= 3);
  const result = zxcvbn(password.slice(0, SCORED_LENGTH), inputs);
  if (result.score >= PASSWORD_MIN_SCORE) return null;
  return 'The password is too easy to guess (a common password, a pattern or your own name or email); use a longer passphrase.';
}

/** Throws a 400 naming `field` when the password does not meet the policy. */
export function checkPassword(password: string, userInputs: string[] = [], field = 'password'): void {
  const problem = passwordProblem(password, userInputs);
  if (problem) throw invalidValue(field, problem);
}
