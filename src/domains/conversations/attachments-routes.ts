/** /api/v2/gatehouse/conversations/{id}/attachments: upload, list and download (beyond upstream). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type AttachmentInput, type Attachments, CREATE_PERMISSIONS, VIEW_PERMISSION } from './attachments.ts';

const ANY = (...list: string[]) => ({ type: 'ANY' as const, list });
const NO_NUL = '^[^\\u0000]*$';
const Params = Type.Object({ conversationId: Type.String({ minLength: 1, maxLength: 64, pattern: NO_NUL }) });
const FileParams = Type.Object({
  conversationId: Type.String({ minLength: 1, maxLength: 64, pattern: NO_NUL }),
  attachmentId: Type.String({ minLength: 1, maxLength: 64, pattern: NO_NUL }),
});
const Upload = Type.Object({
  fileName: Type.String({ minLength: 1, maxLength: 255, pattern: NO_NUL }),
  contentType: Type.String({ minLength: 1, maxLength: 255, pattern: NO_NUL }),
  content: Type.String({ maxLength: 700_000 }),
});

export function registerAttachmentRoutes(app: FastifyInstance, { attachments }: { attachments: Attachments }) {
  const base = '/api/v2/gatehouse/conversations/:conversationId/attachments';
  app.post<{ Params: { conversationId: string }; Body: AttachmentInput }>(
    base,
    {
      schema: { params: Params, body: Upload },
      config: { permission: ANY(...CREATE_PERMISSIONS) },
    },
    async (request) => attachments.add(request.caller, request.params.conversationId, request.body),
  );
  app.get<{ Params: { conversationId: string } }>(
    base,
    { schema: { params: Params }, config: { permission: ANY(VIEW_PERMISSION) } },
    async (request) => attachments.list(request.caller, request.params.conversationId),
  );
  app.get<{ Params: { conversationId: string; attachmentId: string } }>(
    `${base}/:attachmentId`,
    { schema: { params: FileParams }, config: { permission: ANY(VIEW_PERMISSION) } },
    async (request, reply) => {
      const file = await attachments.download(
        request.caller,
        request.params.conversationId,
        request.params.attachmentId,
      );
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.fileName.replace(/["\\\r\n]/g, '_')}"`)
        .send(file.body);
    },
  );
}
