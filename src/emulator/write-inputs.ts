import { ApiError, invalidInput, validationError } from './api-error';
import type { QueryParams } from './query';
import type { PolicyDocument } from './types';
import { statementsOf } from './policy-scope';
import { policyDocumentProblem } from './world';
import type { Tag } from './world-model';

/**
 * The parameters of IAM's write operations (CreateRole, TagRole, CreatePolicy, …), checked against IAM's documented
 * constraints, answered in IAM's wording: a model constraint is a ValidationError naming the member in camelCase;
 * a document the emulator cannot judge is MalformedPolicyDocument, never stored.
 */

const IAM_NAME = /^[\w+=,.@-]+$/;
const IAM_PATH = /^(?:\/|\/[\u0021-\u007E]+\/)$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
/** Tags per role, user or policy (IAM's quota). */
export const MAX_TAGS = 50;
const MAX_DOCUMENT_LENGTH = 131_072;
export const SESSION_DURATION = { min: 3600, max: 43_200 } as const;

const camel = (field: string) => field[0]!.toLowerCase() + field.slice(1);

/** A name parameter (RoleName, PolicyName): required, 1 to `max` characters of `[\w+=,.@-]`. */
export function validName(params: QueryParams, field: string, max: number): string {
  const name = params.required(field);
  if (name.length < 1 || name.length > max) throw validationError(name, camel(field), `Member must have length between 1 and ${max}`);
  if (!IAM_NAME.test(name)) throw validationError(name, camel(field), 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  return name;
}

/** `Path`, default `/`: `/` or `/segment/…/`, at most 512 characters. */
export function validPath(params: QueryParams): string {
  const path = params.string('Path') ?? '/';
  if (path.length > 512) throw validationError(path, 'path', 'Member must have length less than or equal to 512');
  if (!IAM_PATH.test(path)) throw validationError(path, 'path', 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  return path;
}

export function validDescription(params: QueryParams): string | undefined {
  const description = params.string('Description');
  if (description !== undefined && description.length > 1000) {
    throw validationError(description, 'description', 'Member must have length less than or equal to 1000');
  }
  return description;
}

export function validSessionDuration(params: QueryParams): number | undefined {
  const seconds = params.integer('MaxSessionDuration');
  if (seconds !== undefined && (seconds < SESSION_DURATION.min || seconds > SESSION_DURATION.max)) {
    throw validationError(String(seconds), 'maxSessionDuration', `Member must have value between ${SESSION_DURATION.min} and ${SESSION_DURATION.max}`);
  }
  return seconds;
}

const malformed = (message: string) => new ApiError(400, 'MalformedPolicyDocument', message);

/**
 * A policy document parameter: JSON, of the form the world schema allows (so every report the emulator computes
 * from it is judged by the same rules as a world's), a trust policy naming a Principal in each statement, an
 * identity policy naming none and a Resource in each.
 */
export function validDocument(params: QueryParams, field: string, kind: 'trust' | 'identity'): PolicyDocument {
  const text = params.required(field);
  if (text.length < 1 || text.length > MAX_DOCUMENT_LENGTH) {
    throw validationError(text.slice(0, 40), camel(field), `Member must have length between 1 and ${MAX_DOCUMENT_LENGTH}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed('Syntax errors in policy.');
  }
  const problem = policyDocumentProblem(parsed);
  if (problem) throw malformed(`The policy document is not one this emulator can judge (${problem}).`);
  const document = parsed as PolicyDocument;
  for (const statement of statementsOf(document)) {
    const hasPrincipal = statement.Principal !== undefined || statement.NotPrincipal !== undefined;
    if (kind === 'trust' && !hasPrincipal) throw malformed('AssumeRolePolicy policy: Missing required field Principal');
    if (kind === 'identity' && hasPrincipal) throw malformed('Policy document should not specify a principal.');
    if (kind === 'identity' && statement.Resource === undefined && statement.NotResource === undefined) {
      throw malformed('Policy statement must contain resources.');
    }
  }
  return document;
}

/** `Tags.member.N.{Key,Value}`: at most 50, keys unique case-insensitively. */
export function validTags(params: QueryParams, field = 'Tags'): Tag[] {
  const members = params.structList(field) ?? [];
  if (members.length > MAX_TAGS) throw validationError(`[${members.length} tags]`, camel(field), `Member must have length less than or equal to ${MAX_TAGS}`);
  const seen = new Set<string>();
  return members.map((member, i) => {
    const key = member.Key;
    const value = member.Value ?? '';
    const at = `${camel(field)}.${i + 1}.member`;
    if (key === undefined || !TAG_KEY.test(key)) {
      throw validationError(key ?? '', `${at}.key`, 'Member must have length between 1 and 128 and satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    }
    if (!TAG_VALUE.test(value)) {
      throw validationError(value, `${at}.value`, 'Member must have length less than or equal to 256 and satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*');
    }
    if (seen.has(key.toLowerCase())) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key.toLowerCase());
    return { Key: key, Value: value };
  });
}

/** `TagKeys.member.N` of an Untag call: 1 to 50 keys. */
export function validTagKeys(params: QueryParams): string[] {
  const keys = params.list('TagKeys');
  if (keys === undefined) throw new ApiError(400, 'MissingParameter', 'The request must contain the parameter TagKeys.');
  if (keys.length > MAX_TAGS) throw validationError(`[${keys.length} keys]`, 'tagKeys', `Member must have length less than or equal to ${MAX_TAGS}`);
  keys.forEach((key, i) => {
    if (!TAG_KEY.test(key)) throw validationError(key, `tagKeys.${i + 1}.member`, 'Member must have length between 1 and 128');
  });
  return keys;
}

/** Existing tags with `added` set over them (a key matches case-insensitively); over 50 is LimitExceeded. */
function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key.toLowerCase(), t]));
  for (const tag of added) byKey.set(tag.Key.toLowerCase(), tag);
  if (byKey.size > MAX_TAGS) throw new ApiError(409, 'LimitExceeded', `The number of tags has reached the maximum limit (${MAX_TAGS}).`);
  return [...byKey.values()];
}

/** A principal's or policy's tags after a Tag call: at least one tag given, set over the existing ones. */
export function taggedWith(existing: readonly Tag[] | undefined, params: QueryParams): Tag[] {
  const tags = validTags(params);
  if (tags.length === 0) throw new ApiError(400, 'MissingParameter', 'The request must contain the parameter Tags.');
  return mergeTags(existing ?? [], tags);
}

/** A principal's or policy's tags after an Untag call. */
export function untaggedWith(existing: readonly Tag[] | undefined, params: QueryParams): Tag[] {
  return withoutTags(existing ?? [], validTagKeys(params));
}

function withoutTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const removed = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !removed.has(t.Key.toLowerCase()));
}
