/** Upstream shapes of the administrator's groups API (Group, GroupEntityListing). */
import { type Static, Type } from '@sinclair/typebox';
import { EntityListing } from '../../platform/schemas.ts';

export const Group = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Optional(Type.String()),
  dateModified: Type.String(),
  memberCount: Type.Integer(),
  state: Type.String(),
  version: Type.Integer(),
  type: Type.String(),
  visibility: Type.String(),
  rulesVisible: Type.Boolean(),
  selfUri: Type.String(),
});
export const GroupEntityListing = EntityListing(Group);

/** Upstream's GroupCreate: Gatehouse keeps name and description; groups are official and public. */
export const CreateGroup = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
  type: Type.Optional(Type.Literal('official')),
  visibility: Type.Optional(Type.Literal('public')),
  rulesVisible: Type.Optional(Type.Boolean()),
  rolesEnabled: Type.Optional(Type.Boolean()),
  callsEnabled: Type.Optional(Type.Boolean()),
});
export type CreateGroup = Static<typeof CreateGroup>;

export const GroupsQuery = Type.Object({
  pageSize: Type.Optional(Type.Integer()),
  pageNumber: Type.Optional(Type.Integer()),
});
