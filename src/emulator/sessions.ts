import { timingSafeEqual } from 'node:crypto';
import { ApiError } from './api-error';
import type { SeededRandom } from './rng';
import type { Principal } from './world-model';

/**
 * The temporary credentials STS AssumeRole issues (sts.ts), kept for the life of the emulator, and the checks a
 * request signed with them, or with a world key, must pass.
 */

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export interface RoleSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly role: Principal;
  readonly sessionName: string;
}

/** Temporary credentials issued by AssumeRole, by access key id, for the life of the emulator. */
export class SessionStore {
  private readonly sessions = new Map<string, RoleSession>();
  constructor(private readonly random: SeededRandom) {}

  issue(role: Principal, sessionName: string, expiration: Date): RoleSession {
    const session: RoleSession = {
      accessKeyId: `ASIA${this.chars(KEY_ALPHABET, 16)}`,
      secretAccessKey: this.chars(SECRET_ALPHABET, 40),
      sessionToken: `FwoGZXIvYXdzE${this.chars(SECRET_ALPHABET, 240)}`,
      expiration,
      role,
      sessionName,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  get(accessKeyId: string): RoleSession | undefined {
    return this.sessions.get(accessKeyId);
  }

  private chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.random.next() * alphabet.length)];
    return out;
  }
}

const invalidToken = () => new ApiError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');

const sameSecret = (expected: string, given: string) => {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * A world key's requests: with a `sessionToken` declared, they must carry exactly it; without one, they must carry
 * none (a token the emulator neither issued nor was given is as unknown to it as to IAM).
 */
export function checkWorldKeyToken(declared: string | undefined, token: string | undefined): void {
  if (declared === undefined ? token !== undefined : !sameSecret(declared, token ?? '')) throw invalidToken();
}

/** A request signed with session credentials must carry the issued token, before the session expires. */
export function checkSessionToken(session: RoleSession, token: string | undefined, now: Date): void {
  if (!sameSecret(session.sessionToken, token ?? '')) throw invalidToken();
  if (now.getTime() >= session.expiration.getTime()) {
    throw new ApiError(403, 'ExpiredToken', 'The security token included in the request is expired');
  }
}
