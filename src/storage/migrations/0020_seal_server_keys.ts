/**
 * Seals the server keys stored in clear before the master key existed (docs/security.md). The
 * sealing function is given by the caller (the composition root holds the master key); a store
 * with plain keys and no sealer refuses to migrate rather than keep them in clear.
 */
import type { Kysely, Migration } from 'kysely';

/** Values written by the sealer start with this; anything else is a plain key. */
const SEALED_PREFIX = 'mk1.';

export type KeySealer = (value: string, name: string) => string;

export function sealServerKeys(seal: KeySealer | undefined): Migration {
  return {
    async up(db: Kysely<any>) {
      const rows: { name: string; value: string }[] = await db
        .selectFrom('server_keys')
        .select(['name', 'value'])
        .execute();
      const plain = rows.filter((r) => !r.value.startsWith(SEALED_PREFIX));
      if (plain.length === 0) return;
      if (!seal) throw new Error('server keys are stored in clear and no master key was given to seal them');
      for (const r of plain) {
        await db
          .updateTable('server_keys')
          .set({ value: seal(r.value, r.name) })
          .where('name', '=', r.name)
          .execute();
      }
    },
    // Keys are not unsealed again: going back keeps them sealed (older versions cannot read them).
    async down() {},
  };
}
