import { ApiError } from './api-error';
import type { Caller, EmulatorState } from './state';
import type { OrganizationModel } from './world-model';

/**
 * The AWS Organizations operations a sweep needs, over Organizations' own wire protocol: JSON 1.1 (POST /,
 * `X-Amz-Target: AWSOrganizationsV20161128.<Operation>`, `application/x-amz-json-1.1`), signed for the service
 * `organizations`. Errors are `{"__type": Code, "Message": …}` with the code in `x-amzn-ErrorType` too, as the SDK's
 * awsJson1_1 deserializer reads them.
 *
 * Only the management account may list the organization (a member account is refused with
 * AccessDeniedException, as in AWS without a delegated administrator).
 */
export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128.';

type JsonHandler = (state: EmulatorState, caller: Caller, input: Record<string, unknown>) => Record<string, unknown>;

/** ListAccounts and friends return at most 20 per page (the API's documented MaxResults ceiling). */
const MAX_RESULTS = 20;

const invalidInput = (message: string) => new ApiError(400, 'InvalidInputException', message);

function organizationOf(state: EmulatorState, caller: Caller): OrganizationModel {
  const org = state.model.organization;
  if (!org) {
    throw new ApiError(400, 'AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  }
  if (caller.account !== org.managementAccountId) {
    throw new ApiError(400, 'AccessDeniedException', "You don't have permissions to access this resource.");
  }
  return org;
}

/** The page of `items` the request asks for; NextToken is the offset, base64-encoded, and must be one we issued. */
function page<T>(items: readonly T[], input: Record<string, unknown>): { slice: T[]; nextToken?: string } {
  const max = input['MaxResults'];
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_RESULTS)) {
    throw invalidInput(`You provided a value that does not match the required pattern: MaxResults must be between 1 and ${MAX_RESULTS}.`);
  }
  const size = (max as number | undefined) ?? MAX_RESULTS;
  let offset = 0;
  const token = input['NextToken'];
  if (token !== undefined) {
    const decoded = typeof token === 'string' ? /^o:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8')) : null;
    if (!decoded || Number(decoded[1]) > items.length) throw invalidInput('The NextToken value is not valid.');
    offset = Number(decoded[1]);
  }
  const slice = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length ? { slice, nextToken: Buffer.from(`o:${next}`, 'utf8').toString('base64') } : { slice };
}

function accountEntry(state: EmulatorState, org: OrganizationModel, id: string): Record<string, unknown> {
  const details = state.model.accountDetails.get(id);
  return {
    Id: id,
    Arn: `arn:aws:organizations::${org.managementAccountId}:account/${org.id}/${id}`,
    Email: details?.email ?? `${id}@example.com`,
    Name: details?.name ?? id,
    // `State` replaces the deprecated `Status` (AWS, September 2026); both are sent, as AWS does during the switch.
    State: details?.status ?? 'ACTIVE',
    Status: details?.status ?? 'ACTIVE',
    JoinedMethod: id === org.managementAccountId ? 'INVITED' : 'CREATED',
    // awsJson1_1 timestamps are epoch seconds.
    JoinedTimestamp: Math.floor(Date.parse('2020-01-01T00:00:00Z') / 1000),
  };
}

function parentOf(org: OrganizationModel, input: Record<string, unknown>): string {
  const parentId = input['ParentId'];
  if (typeof parentId !== 'string' || !/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/.test(parentId)) {
    throw invalidInput(`You provided a value that does not match the required pattern: ParentId ${JSON.stringify(parentId ?? null)}.`);
  }
  const node = org.nodes.get(parentId);
  if (!node || node.kind === 'account') throw new ApiError(400, 'ParentNotFoundException', 'We can\'t find a root or OU with the ParentId that you specified.');
  return parentId;
}

const listAccounts: JsonHandler = (state, caller, input) => {
  const org = organizationOf(state, caller);
  const ids = [...org.nodes.values()].filter((n) => n.kind === 'account').map((n) => n.id).sort();
  const { slice, nextToken } = page(ids, input);
  return { Accounts: slice.map((id) => accountEntry(state, org, id)), ...(nextToken ? { NextToken: nextToken } : {}) };
};

const listAccountsForParent: JsonHandler = (state, caller, input) => {
  const org = organizationOf(state, caller);
  const parent = parentOf(org, input);
  const ids = org.nodes.get(parent)!.children.filter((c) => org.nodes.get(c)?.kind === 'account');
  const { slice, nextToken } = page(ids, input);
  return { Accounts: slice.map((id) => accountEntry(state, org, id)), ...(nextToken ? { NextToken: nextToken } : {}) };
};

const listOrganizationalUnitsForParent: JsonHandler = (state, caller, input) => {
  const org = organizationOf(state, caller);
  const parent = parentOf(org, input);
  const ids = org.nodes.get(parent)!.children.filter((c) => org.nodes.get(c)?.kind === 'ou');
  const { slice, nextToken } = page(ids, input);
  return {
    OrganizationalUnits: slice.map((id) => ({ Id: id, Arn: `arn:aws:organizations::${org.managementAccountId}:ou/${org.id}/${id}`, Name: org.nodes.get(id)?.name ?? id })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
};

export const ORGANIZATIONS_OPERATIONS: Readonly<Record<string, JsonHandler>> = {
  ListAccounts: listAccounts,
  ListAccountsForParent: listAccountsForParent,
  ListOrganizationalUnitsForParent: listOrganizationalUnitsForParent,
};

/** Parses the JSON body (an empty body is `{}`), answering what Organizations answers to malformed input. */
export function parseJsonInput(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new ApiError(400, 'SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'SerializationException', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
