/**
 * Upstream lets any one of several permissions through the SCIM user writes (POST: ANY of
 * directory:user:add, authorization:grant:*, routing:skill:assign, routing:language:assign,
 * telephony:extension:assign; PUT/PATCH: the same with directory:user:edit/setPassword). The
 * route declares that list; this file decides what each permission lets the caller change, so
 * that holding routing:skill:assign alone changes skills and nothing else.
 */
import { missingAnyPermissions } from '../../platform/errors/index.ts';
import { hasPermission } from '../../platform/permissions.ts';
import type { Caller } from '../../platform/principal.ts';
import type { UserWrite } from './resource.ts';

export const CREATE_USER_PERMISSIONS = [
  'directory:user:add',
  'authorization:grant:add',
  'authorization:grant:delete',
  'routing:skill:assign',
  'routing:language:assign',
  'telephony:extension:assign',
];
export const EDIT_USER_PERMISSIONS = [
  'directory:user:edit',
  'directory:user:setPassword',
  'authorization:grant:add',
  'authorization:grant:delete',
  'routing:skill:assign',
  'routing:language:assign',
  'telephony:extension:assign',
];

type Json = Record<string, unknown>;

function need(caller: Caller, any: string[]) {
  if (!any.some((p) => hasPermission(caller.principal.permissions, p))) throw missingAnyPermissions(any);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const genesys = (w: UserWrite, key: string) => (w.attributes.genesys as Json | undefined)?.[key];
/** Everything but password and routing: the attributes directory:user:edit governs. */
function core(w: UserWrite) {
  const { password: _p, attributes, ...rest } = w;
  const { genesys: _g, ...otherAttributes } = attributes;
  return { ...rest, attributes: otherAttributes };
}

/** A new user is a directory change: directory:user:add. */
export function checkCreate(caller: Caller) {
  need(caller, ['directory:user:add']);
}

/** Each changed part needs its permission; directory:user:edit covers all but the password. */
export function checkUpdate(caller: Caller, before: UserWrite, after: UserWrite) {
  if (!same(core(before), core(after))) need(caller, ['directory:user:edit']);
  if (after.password) need(caller, ['directory:user:setPassword']);
  if (!same(genesys(before, 'routingSkills'), genesys(after, 'routingSkills')))
    need(caller, ['directory:user:edit', 'routing:skill:assign']);
  if (!same(genesys(before, 'routingLanguages'), genesys(after, 'routingLanguages')))
    need(caller, ['directory:user:edit', 'routing:language:assign']);
}
