/** Shapes every domain shares: ErrorBody, entity references and the listing envelope. */
import { type TSchema, Type } from '@sinclair/typebox';

export const ErrorBody = Type.Object({
  message: Type.String(),
  code: Type.String(),
  status: Type.Integer(),
  entityId: Type.Optional(Type.String()),
  entityName: Type.Optional(Type.String()),
  messageWithParams: Type.Optional(Type.String()),
  messageParams: Type.Optional(Type.Record(Type.String(), Type.String())),
  contextId: Type.Optional(Type.String()),
  details: Type.Optional(
    Type.Array(
      Type.Object({
        errorCode: Type.Optional(Type.String()),
        fieldName: Type.Optional(Type.String()),
        entityId: Type.Optional(Type.String()),
        entityName: Type.Optional(Type.String()),
      }),
    ),
  ),
  errors: Type.Optional(Type.Array(Type.Unknown())),
});

export const EntityRef = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  selfUri: Type.Optional(Type.String()),
});

export const NamedEntity = Type.Object({ id: Type.String(), name: Type.Optional(Type.String()) });

export function EntityListing<T extends TSchema>(entity: T) {
  return Type.Object({
    entities: Type.Array(entity),
    pageSize: Type.Integer(),
    pageNumber: Type.Integer(),
    total: Type.Integer(),
    firstUri: Type.Optional(Type.String()),
    nextUri: Type.Optional(Type.String()),
    previousUri: Type.Optional(Type.String()),
    lastUri: Type.Optional(Type.String()),
    selfUri: Type.Optional(Type.String()),
    pageCount: Type.Integer(),
  });
}

export const PagingQuery = {
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  pageNumber: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
};

/** A query list parameter: comma-joined or repeated. */
export const QueryList = Type.Array(Type.String());

export const IdParam = (name: string) => Type.Object({ [name]: Type.String({ minLength: 1, maxLength: 64 }) });
