#!/usr/bin/python3
"""
An independent SAML 2.0 assertion signer for the SAML2-bearer grant tests: builds an Assertion
(or a Response around it) with Python's standard library and signs it with xmlsec1 (rsa-sha256,
exclusive c14n, enveloped), never with Gatehouse's code. Reads a JSON job on stdin, prints the
base64url (or base64) of the signed document on stdout.

Job fields: key, cert (PEM paths), issuer, audience, recipient, name_id, optional: id,
not_before / not_on_or_after offsets in seconds from now (defaults -60 / +300), in_response_to,
wrap_in_response (bool), encoding ("base64url" | "base64"), unsigned (bool), tamper (bool: change
the NameID after signing), attributes ({name: [values]}, an AttributeStatement).
"""
import base64
import datetime
import json
import os
import subprocess
import sys
import tempfile
import uuid
from xml.sax.saxutils import escape, quoteattr

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DS = "http://www.w3.org/2000/09/xmldsig#"


def instant(offset_seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def signature_template(ref_id):
    return (
        f'<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo>'
        '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
        '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
        f'<ds:Reference URI="#{ref_id}"><ds:Transforms>'
        '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
        '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
        '</ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
        '<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>'
        '<ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>'
    )


def assertion(job, signed):
    aid = job.get("id") or "_" + uuid.uuid4().hex
    nb = instant(job.get("not_before", -60))
    noa = instant(job.get("not_on_or_after", 300))
    irt = f' InResponseTo={quoteattr(job["in_response_to"])}' if job.get("in_response_to") else ""
    issuer = f"<saml:Issuer>{escape(job['issuer'])}</saml:Issuer>"
    return aid, (
        f'<saml:Assertion xmlns:saml="{SAML}" ID="{aid}" Version="2.0" IssueInstant="{instant(0)}">'
        + issuer
        + (signature_template(aid) if signed else "")
        + "<saml:Subject>"
        + f'<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{escape(job["name_id"])}</saml:NameID>'
        + '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
        + f'<saml:SubjectConfirmationData NotOnOrAfter="{noa}" Recipient={quoteattr(job["recipient"])}{irt}/>'
        + "</saml:SubjectConfirmation></saml:Subject>"
        + f'<saml:Conditions NotBefore="{nb}" NotOnOrAfter="{noa}">'
        + f"<saml:AudienceRestriction><saml:Audience>{escape(job['audience'])}</saml:Audience></saml:AudienceRestriction>"
        + "</saml:Conditions>"
        + f'<saml:AuthnStatement AuthnInstant="{instant(-5)}" SessionIndex="_s{uuid.uuid4().hex}">'
        + "<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>"
        + "</saml:AuthnStatement>"
        + attribute_statement(job.get("attributes") or {})
        + "</saml:Assertion>"
    )


def attribute_statement(attributes):
    if not attributes:
        return ""
    return (
        "<saml:AttributeStatement>"
        + "".join(
            f'<saml:Attribute Name={quoteattr(name)} NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">'
            + "".join(f"<saml:AttributeValue>{escape(v)}</saml:AttributeValue>" for v in values)
            + "</saml:Attribute>"
            for name, values in attributes.items()
        )
        + "</saml:AttributeStatement>"
    )


def sign(xml, job, id_node):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.xml")
        out = os.path.join(tmp, "out.xml")
        with open(src, "w", encoding="utf-8") as f:
            f.write(xml)
        subprocess.run(
            ["/usr/bin/xmlsec1", "--sign", "--privkey-pem", f"{job['key']},{job['cert']}",
             "--id-attr:ID", id_node, "--output", out, src],
            check=True, capture_output=True,
        )
        with open(out, encoding="utf-8") as f:
            return f.read()


def main():
    job = json.load(sys.stdin)
    signed = not job.get("unsigned")
    aid, doc = assertion(job, signed)
    if signed:
        doc = sign(doc, job, f"{SAML}:Assertion")
        doc = doc.split("?>", 1)[1].strip() if doc.startswith("<?xml") else doc
    if job.get("tamper"):
        doc = doc.replace(escape(job["name_id"]), "someone.else@demo.gatehouse.local")
    if job.get("wrap_in_response"):
        doc = (
            f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_r{uuid.uuid4().hex}" Version="2.0" '
            f'IssueInstant="{instant(0)}" Destination={quoteattr(job["recipient"])}>'
            f"<saml:Issuer>{escape(job['issuer'])}</saml:Issuer>"
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
            + doc + "</samlp:Response>"
        )
    raw = doc.encode("utf-8")
    if job.get("encoding") == "base64":
        sys.stdout.write(base64.b64encode(raw).decode("ascii"))
    else:
        sys.stdout.write(base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="))


if __name__ == "__main__":
    main()
