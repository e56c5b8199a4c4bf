/** Shapes of the console's own API (its session). */
import { Type } from '@sinclair/typebox';

/** The signed-in console session: who, in which organization, and the CSRF token for mutations. */
export const Session = Type.Object({
  user: Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
  organization: Type.Object({ id: Type.String(), name: Type.String() }),
  csrfToken: Type.String(),
});
