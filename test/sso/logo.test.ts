/**
 * Identity-provider logos: SVG only, at most 25 KB, sanitized (no scripts, event handlers,
 * foreign objects or external references) before they are stored and served (@see issue 5).
 */
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { CERT, ISSUER, SSO_URL } from './providers-fixtures.ts';

const SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"';
const HOSTILE: Record<string, string> = {
  script: `<svg ${SVG_NS}><script>alert(document.cookie)</script><circle r="5"/></svg>`,
  onload: `<svg ${SVG_NS} onload="alert(1)"><circle r="5" onmouseover="alert(2)"/></svg>`,
  'javascript href': `<svg ${SVG_NS}><a href="javascript:alert(1)"><text>click</text></a><circle r="5"/></svg>`,
  'external image': `<svg ${SVG_NS}><image href="https://tracker.example/pixel.png" width="1" height="1"/><circle r="5"/></svg>`,
  'xlink use': `<svg ${SVG_NS}><use xlink:href="https://evil.example/sprite.svg#icon"/><circle r="5"/></svg>`,
  foreignObject: `<svg ${SVG_NS}><foreignObject width="100" height="100"><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"></iframe><img src="x" onerror="alert(1)"/></foreignObject><circle r="5"/></svg>`,
  'css url': `<svg ${SVG_NS}><style>circle{fill:url(https://evil.example/x)}</style><circle r="5" style="background:url(https://evil.example/y)" fill="url(https://evil.example/#g)"/></svg>`,
  'animate href': `<svg ${SVG_NS}><a><animate attributeName="href" to="javascript:alert(1)"/><circle r="5"/></a></svg>`,
  'mixed case': `<svg ${SVG_NS}><SCRIPT>alert(1)</SCRIPT><circle r="5" OnClick="alert(1)"/></svg>`,
};

describe.each(DIALECTS)('identity-provider logos on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
  });
  afterAll(() => t?.close());

  const withLogo = (logoImageData: string) =>
    t.api('/api/v2/identityproviders', {
      method: 'POST',
      token,
      body: { name: 'Logo IdP', issuerURI: ISSUER, ssoTargetURI: SSO_URL, certificates: [CERT.idp], logoImageData },
    });

  it('stores a clean SVG logo given as text, data URI or base64', async () => {
    const svg = `<svg ${SVG_NS} viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient></defs><circle cx="5" cy="5" r="4" fill="url(#g)"/></svg>`;
    for (const form of [
      svg,
      `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
      Buffer.from(svg).toString('base64'),
    ]) {
      const res = await withLogo(form);
      expect(res.status).toBe(200);
      expect(res.body.logoImageData).toMatch(/^<svg[\s>]/);
      expect(res.body.logoImageData).toContain('fill="url(#g)"');
      expect(res.body.logoImageData).toContain('<circle');
      const got = await t.api(`/api/v2/identityproviders/${res.body.id}`, { token });
      expect(got.body.logoImageData).toBe(res.body.logoImageData);
      await t.api(`/api/v2/identityproviders/${res.body.id}`, { method: 'DELETE', token });
    }
  });

  it.each(Object.entries(HOSTILE))('strips what is hostile: %s', async (_name, svg) => {
    const res = await withLogo(svg);
    expect(res.status).toBe(200);
    const stored: string = res.body.logoImageData;
    const doc = new JSDOM(stored, { contentType: 'image/svg+xml' }).window.document;
    const all = [doc.documentElement, ...doc.querySelectorAll('*')];
    for (const el of all) {
      expect(['script', 'foreignobject', 'iframe', 'img', 'image', 'use', 'style', 'animate', 'set']).not.toContain(
        el.localName.toLowerCase(),
      );
      for (const a of el.attributes) {
        expect(a.name.toLowerCase().startsWith('on'), `${el.localName} ${a.name}`).toBe(false);
        expect(a.value, `${el.localName} ${a.name}`).not.toMatch(/javascript:|https?:\/\/(?!www\.w3\.org)/i);
      }
    }
    expect(doc.querySelector('circle')).not.toBeNull();
    await t.api(`/api/v2/identityproviders/${res.body.id}`, { method: 'DELETE', token });
  });

  it('stores a well-formed XML logo even when the upload used HTML entities, and takes percent-encoded data URIs', async () => {
    // jsdom's XML parser throws on anything that is not well-formed (e.g. an undefined &nbsp; entity).
    const asXml = (svg: string) => new JSDOM(svg, { contentType: 'image/svg+xml' }).window.document;
    const res = await withLogo(
      `<svg ${SVG_NS} viewBox="0 0 10 10"><text x="1" y="5">a&nbsp;b &amp; c</text><circle r="5"/></svg>`,
    );
    expect(res.status, res.text).toBe(200);
    const stored: string = res.body.logoImageData;
    const doc = asXml(stored);
    expect(doc.documentElement.localName).toBe('svg');
    expect(doc.documentElement.namespaceURI).toBe('http://www.w3.org/2000/svg');
    expect(doc.querySelector('text')!.textContent).toBe('a\u00a0b & c');
    // The login page serves it as a data:image/svg+xml URI: the same bytes must parse there too.
    const options = await t.api('/saml/providers');
    const served = options.body.providers.find((p: { id: string }) => p.id === res.body.id).logo as string;
    expect(asXml(Buffer.from(served.split(',')[1], 'base64').toString('utf8')).querySelector('circle')).not.toBeNull();
    await t.api(`/api/v2/identityproviders/${res.body.id}`, { method: 'DELETE', token });

    const encoded = await withLogo(`data:image/svg+xml,${encodeURIComponent(`<svg ${SVG_NS}><circle r="5"/></svg>`)}`);
    expect(encoded.status, encoded.text).toBe(200);
    expect(asXml(encoded.body.logoImageData).querySelector('circle')).not.toBeNull();
    await t.api(`/api/v2/identityproviders/${encoded.body.id}`, { method: 'DELETE', token });
  });

  it('refuses a data URI that is not validly percent-encoded with a 400 naming logoImageData', async () => {
    for (const bad of ['data:image/svg+xml,%E0%A4%A', 'data:image/svg+xml,%3Csvg%ZZ']) {
      const res = await withLogo(bad);
      expect(res.status, res.text).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid.value', details: [{ fieldName: 'logoImageData' }] });
      expect(res.body.message).toMatch(/percent-encoded/);
    }
  });

  it('refuses a non-SVG or oversize logo with a 400 naming logoImageData, storing nothing', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const big = `<svg ${SVG_NS}>${'<circle r="1"/>'.repeat(2000)}</svg>`;
    expect(Buffer.byteLength(big)).toBeGreaterThan(25 * 1024);
    const justUnder = `<svg ${SVG_NS}>${'<circle r="1"/>'.repeat(1690)}</svg>`;
    expect(Buffer.byteLength(justUnder)).toBeLessThanOrEqual(25 * 1024);
    for (const [bad, why] of [
      [png, /SVG/],
      [`data:image/png;base64,${png}`, /SVG/],
      ['<html><body>hi</body></html>', /<svg>/],
      [big, /25 KB/],
      [
        `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg ${SVG_NS}><text>&x;</text></svg>`,
        /DOCTYPE/,
      ],
    ] as const) {
      const res = await withLogo(bad);
      expect(res.status).toBe(400);
      expect(res.body.details[0].fieldName).toBe('logoImageData');
      expect(res.body.message).toMatch(why);
    }
    expect((await t.api('/api/v2/identityproviders', { token })).body.total).toBe(0);
    const ok = await withLogo(justUnder);
    expect(ok.status).toBe(200);
    const cleared = await t.api(`/api/v2/identityproviders/${ok.body.id}`, {
      method: 'PUT',
      token,
      body: { logoImageData: null },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.logoImageData).toBeUndefined();
  });
});
