/**
 * /api/v2/identityproviders: upstream CRUD (custom providers by id, the named kinds by path),
 * plus Gatehouse additions documented in docs/sso.md: metadata parsing for review, SSO settings,
 * and the org's own SP metadata and certificates.
 */
import type { FastifyInstance } from 'fastify';
import { parsePage } from '../../platform/paging.ts';
import { NAMED_KINDS } from './provider-fields.ts';
import type { ProviderService } from './providers-service.ts';
import {
  MetadataParseBody,
  ProviderBody,
  ProviderIdParams,
  ProviderListQuery,
  SpCertificateQuery,
  SsoSettingsBody,
} from './schemas.ts';
import { anyOf } from '../../platform/permissions.ts';

const BASE = '/api/v2/identityproviders';

export function registerProviderRoutes(app: FastifyInstance, deps: { providers: ProviderService }) {
  const service = deps.providers;
  const org = (r: { caller: { principal: { orgId: string } } }) => r.caller.principal.orgId;

  app.get<{ Querystring: { pageSize?: number; pageNumber?: number } }>(
    BASE,
    { schema: { querystring: ProviderListQuery }, config: { permission: anyOf('sso:provider:view') } },
    async (request) => service.list(org(request), parsePage(request.query), request.query),
  );

  app.post<{ Body: ProviderBody }>(
    BASE,
    { schema: { body: ProviderBody }, config: { permission: anyOf('sso:provider:add') } },
    async (request) => service.create(org(request), request.caller, request.body),
  );

  // Gatehouse additions (static paths win over :providerId).
  app.post<{ Body: MetadataParseBody }>(
    `${BASE}/metadata/parse`,
    { schema: { body: MetadataParseBody }, config: { permission: anyOf('sso:provider:add', 'sso:provider:edit') } },
    async (request) => service.parseMetadata(request.body.metadata),
  );

  app.get(`${BASE}/settings`, { config: { permission: anyOf('sso:provider:view') } }, async (request) =>
    service.settings(org(request)),
  );
  app.put<{ Body: SsoSettingsBody }>(
    `${BASE}/settings`,
    { schema: { body: SsoSettingsBody }, config: { permission: anyOf('sso:provider:edit') } },
    async (request) => service.putSettings(org(request), request.caller, request.body),
  );

  app.get(`${BASE}/sp`, { config: { permission: anyOf('sso:provider:view') } }, async (request) =>
    service.spInfo(org(request)),
  );
  app.get(`${BASE}/sp/metadata`, { config: { permission: anyOf('sso:provider:view') } }, async (request, reply) => {
    const xml = await service.spMetadataXml(org(request));
    return reply
      .type('application/samlmetadata+xml; charset=utf-8')
      .header('content-disposition', 'attachment; filename="gatehouse-sp-metadata.xml"')
      .send(xml);
  });
  app.get<{ Querystring: SpCertificateQuery }>(
    `${BASE}/sp/certificate`,
    { schema: { querystring: SpCertificateQuery }, config: { permission: anyOf('sso:provider:view') } },
    async (request, reply) => {
      const use = request.query.use === 'encryption' ? 'encryption' : 'signing';
      const pem = await service.spCertificate(org(request), use);
      return reply
        .type('application/x-pem-file')
        .header('content-disposition', `attachment; filename="gatehouse-${use}.pem"`)
        .send(pem);
    },
  );

  for (const kind of NAMED_KINDS) {
    app.get(`${BASE}/${kind}`, { config: { permission: anyOf('sso:provider:view') } }, async (request) =>
      service.getNamed(org(request), kind),
    );
    app.put<{ Body: ProviderBody }>(
      `${BASE}/${kind}`,
      { schema: { body: ProviderBody }, config: { permission: anyOf('sso:provider:add', 'sso:provider:edit') } },
      async (request) => service.putNamed(org(request), request.caller, kind, request.body),
    );
    app.delete(`${BASE}/${kind}`, { config: { permission: anyOf('sso:provider:delete') } }, async (request, reply) => {
      await service.removeNamed(org(request), request.caller, kind);
      return reply.code(200).send({});
    });
  }

  const Params = { params: ProviderIdParams };
  app.get<{ Params: { providerId: string } }>(
    `${BASE}/:providerId`,
    { schema: Params, config: { permission: anyOf('sso:provider:view') } },
    async (request) => service.get(org(request), request.params.providerId),
  );
  app.put<{ Params: { providerId: string }; Body: ProviderBody }>(
    `${BASE}/:providerId`,
    { schema: { ...Params, body: ProviderBody }, config: { permission: anyOf('sso:provider:edit') } },
    async (request) => service.update(org(request), request.caller, request.params.providerId, request.body),
  );
  app.delete<{ Params: { providerId: string } }>(
    `${BASE}/:providerId`,
    { schema: Params, config: { permission: anyOf('sso:provider:delete') } },
    async (request, reply) => {
      await service.remove(org(request), request.caller, request.params.providerId);
      return reply.code(200).send();
    },
  );
}
