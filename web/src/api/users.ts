import type { Static } from '@sinclair/typebox';
import type { User } from '../../../src/domains/directory/schemas.ts';
import { type Listing, request } from './client.ts';

/** What a user picker shows of a user (the server's User, three fields). */
export type UserSummary = Pick<Static<typeof User>, 'id' | 'name' | 'email'>;

/**
 * The organization's users (active and inactive, 100 a page, at most `limit`), for pickers that
 * let an administrator type a name: the API has no name search, so the console matches locally.
 */
export async function listUsersForPicker(limit = 1000): Promise<UserSummary[]> {
  const out: UserSummary[] = [];
  for (let page = 1; out.length < limit; page++) {
    const r = await request<Listing<UserSummary>>(`/api/v2/users?pageSize=100&pageNumber=${page}&state=any`);
    out.push(...r.entities.map(({ id, name, email }) => ({ id, name, email })));
    if (page >= r.pageCount) break;
  }
  return out;
}

/** Users whose name or email contains the text (case-insensitive), names starting with it first. */
export function matchUsers(users: UserSummary[], text: string, max = 8): UserSummary[] {
  const q = text.trim().toLowerCase();
  if (!q) return [];
  const hits = users.filter((u) => u.name.toLowerCase().includes(q) || u.email.toLowerCase().includes(q));
  const starts = (u: UserSummary) => (u.name.toLowerCase().startsWith(q) ? 0 : 1);
  return hits.sort((a, b) => starts(a) - starts(b) || a.name.localeCompare(b.name)).slice(0, max);
}
