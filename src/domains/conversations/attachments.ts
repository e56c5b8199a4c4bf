/**
 * Files attached to message and email interactions (Gatehouse stores them; upstream keeps them
 * with the message). Uploaded and downloaded as JSON with base64 content; a GDPR delete removes
 * every attachment of the subject's interactions, whatever the file holds (the seed).
 */
import { auditOrigin, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { invalidValue, notFound } from '../../platform/errors/index.ts';
import { newId } from '../../platform/ids.ts';
import { reaches } from '../../platform/division-access.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Db, type Executor, withTransaction } from '../../storage/db.ts';
import { AUDIT_ENTITY, AUDIT_SERVICE } from './service.ts';

registerAuditEntity(AUDIT_SERVICE, AUDIT_ENTITY, ['AttachmentAdd']);

/** What the routes require: adding needs one of these in the conversation's division, reading the view. */
export const CREATE_PERMISSIONS = ['conversation:message:create', 'conversation:email:create'];
export const VIEW_PERMISSION = 'conversation:communication:view';

/** The media types that carry attachments. */
const WITH_ATTACHMENTS = new Set(['message', 'email']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface AttachmentInput {
  fileName: string;
  contentType: string;
  /** base64 */
  content: string;
}

const meta = (r: {
  id: string;
  conversation_id: string;
  file_name: string;
  content_type: string;
  size: number;
  created_at: string;
}) => ({
  id: r.id,
  name: r.file_name,
  contentType: r.content_type,
  contentLength: r.size,
  dateCreated: r.created_at,
  selfUri: `/api/v2/gatehouse/conversations/${r.conversation_id}/attachments/${r.id}`,
});

/** The attachments of some conversations, for GDPR export and erasure. */
export const attachmentsStore = {
  of: (db: Executor, orgId: string, conversationIds: string[]) =>
    conversationIds.length
      ? db
          .selectFrom('conversation_attachments')
          .select(['id', 'conversation_id', 'file_name', 'content_type', 'size', 'created_at'])
          .where('org_id', '=', orgId)
          .where('conversation_id', 'in', conversationIds)
          .execute()
      : Promise.resolve([]),
  async removeOf(db: Executor, orgId: string, conversationIds: string[]) {
    if (!conversationIds.length) return 0;
    const res = await db
      .deleteFrom('conversation_attachments')
      .where('org_id', '=', orgId)
      .where('conversation_id', 'in', conversationIds)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  },
  meta,
};

export function createAttachments({ db, clock }: { db: Db; clock: Clock }) {
  /** The conversation, if the caller holds one of `permissions` in its division (otherwise 404, as unknown). */
  const conversation = async (executor: Executor, caller: Caller, id: string, permissions: string[]) => {
    const c = await executor
      .selectFrom('conversations')
      .select(['id', 'media_type', 'division_id'])
      .where('org_id', '=', caller.principal.orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!c || !permissions.some((p) => reaches(caller.principal, p, c.division_id))) throw notFound('conversation', id);
    return c;
  };
  return {
    async add(caller: Caller, conversationId: string, input: AttachmentInput) {
      const orgId = caller.principal.orgId;
      const c = await conversation(db, caller, conversationId, CREATE_PERMISSIONS);
      if (!WITH_ATTACHMENTS.has(c.media_type))
        throw invalidValue(
          'conversationId',
          `A ${c.media_type} interaction carries no attachments (message and email do).`,
        );
      const content = input.content.replace(/\s+/g, '');
      if (!BASE64.test(content)) throw invalidValue('content', 'content must be base64.');
      const row = {
        id: newId(),
        org_id: orgId,
        conversation_id: conversationId,
        file_name: input.fileName.trim(),
        content_type: input.contentType.trim(),
        size: Buffer.from(content, 'base64').length,
        content,
        created_at: clock.now().toISOString(),
      };
      await withTransaction(db, async (trx) => {
        await trx.insertInto('conversation_attachments').values(row).execute();
        await recordAudit(trx, clock, {
          orgId,
          serviceName: AUDIT_SERVICE,
          entityType: AUDIT_ENTITY,
          entityId: conversationId,
          entityName: `${c.media_type} ${conversationId}`,
          action: 'AttachmentAdd',
          ...auditOrigin(caller),
          context: { attachmentId: row.id, contentType: row.content_type, size: String(row.size) },
        });
      });
      return meta(row);
    },
    async list(caller: Caller, conversationId: string) {
      await conversation(db, caller, conversationId, [VIEW_PERMISSION]);
      return { entities: (await attachmentsStore.of(db, caller.principal.orgId, [conversationId])).map(meta) };
    },
    async download(caller: Caller, conversationId: string, id: string) {
      await conversation(db, caller, conversationId, [VIEW_PERMISSION]);
      const row = await db
        .selectFrom('conversation_attachments')
        .selectAll()
        .where('org_id', '=', caller.principal.orgId)
        .where('conversation_id', '=', conversationId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound('attachment', id);
      return { fileName: row.file_name, contentType: row.content_type, body: Buffer.from(row.content, 'base64') };
    },
  };
}

export type Attachments = ReturnType<typeof createAttachments>;
