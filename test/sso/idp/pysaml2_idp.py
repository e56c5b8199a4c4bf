#!/usr/bin/python3
"""
An independent SAML 2.0 identity provider for Gatehouse's login-flow tests, built on pysaml2 (Debian's
python3-pysaml2, which signs and encrypts with xmlsec1) — never on Gatehouse's code.

Reads one JSON job on stdin. Common fields: sp_metadata (our SP metadata XML), issuer, key, cert
(PEM paths of the IdP signing key pair), sso_url (this IdP's SSO URL, default http://idp.test/sso).

mode "response": prints the base64 SAMLResponse. Fields: acs (Destination; default from metadata),
  audience (default: the SP entity id), name_id, attributes {name: [values]}, in_response_to,
  encrypt_alg (block cipher URI, default aes256-cbc),
  sign_response, sign_assertion (default true), encrypt (bool), lifetime_minutes (default 5).
mode "verify-request": checks an AuthnRequest received by the IdP, with pysaml2's own checks and
  want_authn_requests_signed (want_signed; for the Redirect binding the query signature is checked
  with pysaml2's verify_redirect_signature against our metadata's signing certificate); fields: binding "redirect" | "post", query (the raw query string of
  the Redirect URL) or saml_request + relay_state (POST form). Prints {"id", "acs", "signed"}.
mode "logout-response" / "logout-request": answers our LogoutRequest (query) with a signed
  LogoutResponse URL / makes an IdP-initiated signed LogoutRequest URL (name_id, session_indexes).
mode "verify-logout-response": checks our signed LogoutResponse (query). Prints its fields.
mode "expired-cert": prints a PEM certificate for `key` that expired in 2020 (made with
  python3-cryptography).
mode "serve": a tiny HTTP IdP on 127.0.0.1, reached as sso_host (default localhost) (prints the port,
  then serves until killed): GET /sso
  with a Redirect-binding AuthnRequest answers an auto-posting form carrying a signed Response for
  name_id / attributes to the request's ACS.
"""
import base64
import datetime
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer
from xml.sax.saxutils import escape, quoteattr

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.attribute_converter import AttributeConverter
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.sigver import RSACrypto, verify_redirect_signature
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256


def server(job, want_signed=False):
    sso_url = job.get("sso_url", "http://idp.test/sso")
    conf = IdPConfig()
    conf.load({
        "entityid": job["issuer"],
        "service": {"idp": {
            "endpoints": {
                "single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT), (sso_url, BINDING_HTTP_POST)],
                "single_logout_service": [(job.get("slo_url", "http://idp.test/slo"), BINDING_HTTP_REDIRECT)],
            },
            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
            "want_authn_requests_signed": want_signed,
            "policy": {"default": {
                "lifetime": {"minutes": job.get("lifetime_minutes", 5)},
                "attribute_restrictions": None,
                "name_form": NAME_FORMAT_BASIC,
            }},
        }},
        "key_file": job["key"],
        "cert_file": job["cert"],
        "encryption_keypairs": [{"key_file": job["key"], "cert_file": job["cert"]}],
        "metadata": {"inline": [job["sp_metadata"]]},
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "accepted_time_diff": 10,
    })
    idp = Server(config=conf)
    # Attribute names go out exactly as given (OrganizationName, ServiceName, AuthorizedClientIDs):
    # no mapping to LDAP/OID names.
    plain = AttributeConverter(NAME_FORMAT_BASIC)
    plain._to, plain._fro = {}, {}
    idp.config.attribute_converters = [plain]
    return idp


def use_block_cipher(uri):
    """pysaml2 encrypts with 3DES-CBC unless told otherwise; the job picks (default AES-256-CBC)."""
    import saml2.entity
    import saml2.sigver

    def pre(**kwargs):
        kwargs.setdefault("msg_enc", uri)
        return saml2.sigver.pre_encryption_part(**kwargs)
    saml2.entity.pre_encryption_part = pre
    # ...and xmlsec1 must be given the matching session key type.
    session_key = {"aes256-cbc": "aes-256", "aes128-cbc": "aes-128", "tripledes-cbc": "des-192"}[uri.rsplit("#", 1)[1]]
    original = saml2.sigver.SecurityContext.encrypt_assertion

    def encrypt_assertion(self, statement, enc_key, template, key_type="des-192", node_xpath=None):
        return original(self, statement, enc_key, template, session_key, node_xpath)
    saml2.sigver.SecurityContext.encrypt_assertion = encrypt_assertion


def make_response(idp, job, in_response_to=None, acs=None):
    sp_id = next(iter(idp.metadata.with_descriptor("spsso")))
    if acs is None:
        acs = job.get("acs") or idp.metadata.assertion_consumer_service(sp_id, BINDING_HTTP_POST)[0]["location"]
    identity = {k: v for k, v in (job.get("attributes") or {}).items()}
    name_id = NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=job["name_id"])
    encrypt = bool(job.get("encrypt"))
    if encrypt:
        use_block_cipher(job.get("encrypt_alg", "http://www.w3.org/2001/04/xmlenc#aes256-cbc"))
    resp = idp.create_authn_response(
        identity,
        in_response_to or job.get("in_response_to"),
        acs,
        job.get("audience") or sp_id,
        name_id=name_id,
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", "authn_instant": None},
        sign_response=bool(job.get("sign_response")),
        sign_assertion=job.get("sign_assertion", True),
        encrypt_assertion=encrypt,
        encrypt_assertion_self_contained=True,
        encrypted_advice_attributes=False,
        session_not_on_or_after=None,
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    return base64.b64encode(str(resp).encode("utf-8")).decode("ascii"), acs


def sp_signing_certs(idp, sp_id):
    return ["".join((c if isinstance(c, str) else c[1]).split()) for c in idp.metadata.certs(sp_id, "spsso", "signing")]


def verify_request(idp, job):
    if job["binding"] == "redirect":
        fields = dict(urllib.parse.parse_qsl(job["query"], keep_blank_values=True))
        signed = "Signature" in fields
        if job.get("want_signed") and not signed:
            raise SystemExit("request not signed")
        if signed:
            sp_id = next(iter(idp.metadata.with_descriptor("spsso")))
            certs = sp_signing_certs(idp, sp_id)
            if not any(verify_redirect_signature(fields, RSACrypto(None), cert=c) for c in certs):
                raise SystemExit("redirect signature does not verify")
        req = idp.parse_authn_request(fields["SAMLRequest"], BINDING_HTTP_REDIRECT)
    else:
        req = idp.parse_authn_request(job["saml_request"], BINDING_HTTP_POST)
        signed = req.message.signature is not None
    if req is None:
        raise SystemExit("request refused")
    m = req.message
    return {"id": m.id, "acs": m.assertion_consumer_service_url, "signed": signed, "issuer": m.issuer.text}


def sp_slo(idp):
    sp_id = next(iter(idp.metadata.with_descriptor("spsso")))
    return sp_id, idp.metadata.single_logout_service(sp_id, BINDING_HTTP_REDIRECT, "spsso")[0]["location"]


def location(info):
    return dict(info["headers"])["Location"]


def logout_response(idp, job):
    """Answers our LogoutRequest (Redirect binding, signature checked with our metadata) with a signed LogoutResponse."""
    fields = dict(urllib.parse.parse_qsl(job["query"], keep_blank_values=True))
    sp_id, slo = sp_slo(idp)
    certs = sp_signing_certs(idp, sp_id)
    if not any(verify_redirect_signature(fields, RSACrypto(None), cert=c) for c in certs):
        raise SystemExit("logout request signature does not verify")
    req = idp.parse_logout_request(fields["SAMLRequest"], BINDING_HTTP_REDIRECT)
    m = req.message
    resp = idp.create_logout_response(m, [BINDING_HTTP_REDIRECT], sign=False)
    if job.get("in_response_to"):
        resp.in_response_to = job["in_response_to"]
    info = idp.apply_binding(BINDING_HTTP_REDIRECT, str(resp), slo, fields.get("RelayState", ""), response=True, sign=True, sigalg=SIG_RSA_SHA256)
    return {"id": m.id, "name_id": m.name_id.text, "session_index": [si.text for si in m.session_index], "url": location(info)}


def logout_request(idp, job):
    """An IdP-initiated, signed LogoutRequest (Redirect binding) for name_id / session_index."""
    sp_id, slo = sp_slo(idp)
    req_id, req = idp.create_logout_request(
        slo, sp_id, name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=job["name_id"]),
        session_indexes=job.get("session_indexes"), sign=False)
    info = idp.apply_binding(BINDING_HTTP_REDIRECT, str(req), slo, "idp-relay", sign=True, sigalg=SIG_RSA_SHA256)
    return {"id": req_id, "url": location(info)}


def verify_logout_response(idp, job):
    """Checks our LogoutResponse (Redirect binding): query signature with our metadata, then pysaml2's own parsing."""
    fields = dict(urllib.parse.parse_qsl(job["query"], keep_blank_values=True))
    sp_id, _ = sp_slo(idp)
    if not any(verify_redirect_signature(fields, RSACrypto(None), cert=c) for c in sp_signing_certs(idp, sp_id)):
        raise SystemExit("logout response signature does not verify")
    resp = idp.parse_logout_request_response(fields["SAMLResponse"], BINDING_HTTP_REDIRECT)
    m = resp.response
    return {"in_response_to": m.in_response_to, "status": m.status.status_code.value, "issuer": m.issuer.text}


def expired_cert(job):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
    with open(job["key"], "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expired.idp.test")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime.datetime(2019, 1, 1)).not_valid_after(datetime.datetime(2020, 1, 1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def serve(job):
    httpd = HTTPServer(("127.0.0.1", job.get("port", 0)), None)
    port = httpd.server_address[1]
    # The browser reaches this IdP as http://{sso_host}:{port}/sso (the AuthnRequest's Destination).
    job["sso_url"] = f"http://{job.get('sso_host', 'localhost')}:{port}/sso"
    idp = server(job)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            fields = dict(urllib.parse.parse_qsl(url.query))
            try:
                req = idp.parse_authn_request(fields["SAMLRequest"], BINDING_HTTP_REDIRECT)
                m = req.message
                saml_response, acs = make_response(idp, job, m.id, m.assertion_consumer_service_url)
            except Exception as e:  # noqa: BLE001 - a test IdP: say what failed
                self.send_response(400)
                self.end_headers()
                self.wfile.write(str(e).encode())
                return
            relay = fields.get("RelayState", "")
            page = (
                "<!DOCTYPE html><html><head><title>Test IdP</title></head><body>"
                f"<form id='f' method='post' action={quoteattr(acs)}>"
                f"<input type='hidden' name='SAMLResponse' value={quoteattr(saml_response)}>"
                f"<input type='hidden' name='RelayState' value={quoteattr(relay)}>"
                f"<p>Signed in at the test IdP as {escape(job['name_id'])}</p></form>"
                "<script>document.getElementById('f').submit()</script></body></html>"
            )
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd.RequestHandlerClass = Handler
    print(port, flush=True)
    httpd.serve_forever()


def main():
    job = json.load(sys.stdin)
    mode = job.get("mode", "response")
    if mode == "response":
        print(make_response(server(job), job)[0])
    elif mode == "verify-request":
        print(json.dumps(verify_request(server(job, want_signed=job.get("want_signed", False) and job["binding"] == "post"), job)))
    elif mode == "logout-response":
        print(json.dumps(logout_response(server(job), job)))
    elif mode == "logout-request":
        print(json.dumps(logout_request(server(job), job)))
    elif mode == "verify-logout-response":
        print(json.dumps(verify_logout_response(server(job), job)))
    elif mode == "expired-cert":
        print(expired_cert(job), end="")
    elif mode == "serve":
        serve(job)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
