"""A test SAML identity provider: an RSA key and self-signed certificate made at test time, its
metadata, and SAML responses signed with `signxml` (lxml's canonicalization, an implementation
independent of iamd's), over the Response or the Assertion."""

from __future__ import annotations

import base64
import datetime
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
AWS_SIGNIN = "https://signin.aws.amazon.com/saml"
ATTR = "https://aws.amazon.com/SAML/Attributes/"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


def _iso(t: datetime.datetime) -> str:
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class SamlIdp:
    def __init__(self, entity_id: str | None = None):
        self.entity_id = entity_id or f"https://idp.example.test/{uuid.uuid4().hex[:8]}"
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "iamd test idp")])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(days=1))
                     .not_valid_after(now + datetime.timedelta(days=365))
                     .sign(self.key, hashes.SHA256()))

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def metadata(self, valid_until: datetime.datetime | None = None) -> str:
        der = self.cert.public_bytes(serialization.Encoding.DER)
        b64 = base64.b64encode(der).decode()
        vu = f' validUntil="{_iso(valid_until)}"' if valid_until else ""
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{self.entity_id}"{vu}>'
            '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
            f'<ds:X509Data><ds:X509Certificate>{b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
            '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>'
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            f'Location="{self.entity_id}/sso"/>'
            '</md:IDPSSODescriptor></md:EntityDescriptor>'
        )

    def assertion_xml(self, *, subject="alice@example.test", attributes: dict[str, list[str]],
                      audience=AWS_SIGNIN, recipient=AWS_SIGNIN, issuer=None,
                      not_before=None, not_on_or_after=None, assertion_id=None,
                      name_format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent") -> str:
        now = datetime.datetime.now(datetime.timezone.utc)
        nb = not_before or now - datetime.timedelta(minutes=1)
        na = not_on_or_after or now + datetime.timedelta(minutes=5)
        aid = assertion_id or "_" + uuid.uuid4().hex
        attrs = "".join(
            f'<saml:Attribute Name="{n}">' + "".join(
                f'<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">{v}</saml:AttributeValue>'
                for v in vals) + "</saml:Attribute>"
            for n, vals in attributes.items())
        return (
            f'<saml:Assertion xmlns:saml="{SAML}" ID="{aid}" IssueInstant="{_iso(now)}" Version="2.0">'
            f'<saml:Issuer>{issuer or self.entity_id}</saml:Issuer>'
            '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>'
            f'<saml:Subject><saml:NameID Format="{name_format}">{subject}</saml:NameID>'
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{_iso(na)}" Recipient="{recipient}"/>'
            '</saml:SubjectConfirmation></saml:Subject>'
            f'<saml:Conditions NotBefore="{_iso(nb)}" NotOnOrAfter="{_iso(na)}">'
            f'<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>'
            '</saml:Conditions>'
            f'<saml:AuthnStatement AuthnInstant="{_iso(now)}"><saml:AuthnContext><saml:AuthnContextClassRef>'
            'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>'
            '</saml:AuthnContext></saml:AuthnStatement>'
            f'<saml:AttributeStatement>{attrs}</saml:AttributeStatement>'
            '</saml:Assertion>'
        )

    def _sign(self, xml: str, key=None, cert=None) -> str:
        root = etree.fromstring(xml.encode())
        signer = XMLSigner(c14n_algorithm=EXC_C14N)
        signed = signer.sign(root, key=key or self.key_pem, cert=cert or self.cert_pem,
                             reference_uri="#" + root.get("ID"), id_attribute="ID")
        return etree.tostring(signed).decode()

    def sign_assertion(self, assertion: str, **kw) -> str:
        return self._sign(assertion, **kw)

    def response_xml(self, assertion: str, *, placeholder=False) -> str:
        now = datetime.datetime.now(datetime.timezone.utc)
        sig = '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>' if placeholder else ""
        return (
            f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_{uuid.uuid4().hex}" Version="2.0" '
            f'IssueInstant="{_iso(now)}" Destination="{AWS_SIGNIN}">'
            f'<saml:Issuer>{self.entity_id}</saml:Issuer>{sig}'
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
            f'{assertion}</samlp:Response>'
        )

    def response(self, *, sign="assertion", **kw) -> str:
        """A base64 SAMLResponse, signed over the assertion or the whole response."""
        a = self.assertion_xml(**kw)
        if sign == "assertion":
            xml = self.response_xml(self.sign_assertion(a))
        else:
            a = a.replace('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>', "")
            xml = self._sign(self.response_xml(a, placeholder=True))
        return base64.b64encode(xml.encode()).decode()


def b64(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


def encrypt_assertion(assertion: str, sp_public_key, *, oaep_sha256: bool = False) -> str:
    """An EncryptedAssertion (XML Encryption 1.1): AES-128-GCM content, the key wrapped with
    RSA-OAEP to the service provider's key, as identity providers send them."""
    import os

    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key, iv = os.urandom(16), os.urandom(12)
    ct = AESGCM(key).encrypt(iv, assertion.encode(), None)
    if oaep_sha256:
        pad = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
        method = ('<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep">'
                  '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
                  '<xenc11:MGF xmlns:xenc11="http://www.w3.org/2009/xmlenc11#" '
                  'Algorithm="http://www.w3.org/2009/xmlenc11#mgf1sha256"/></xenc:EncryptionMethod>')
    else:
        pad = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
        method = ('<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p">'
                  '<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></xenc:EncryptionMethod>')
    wrapped = sp_public_key.encrypt(key, pad)
    return (
        f'<saml:EncryptedAssertion xmlns:saml="{SAML}">'
        '<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Type="http://www.w3.org/2001/04/xmlenc#Element">'
        '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes128-gcm"/>'
        f'<ds:KeyInfo><xenc:EncryptedKey>{method}'
        f'<xenc:CipherData><xenc:CipherValue>{base64.b64encode(wrapped).decode()}</xenc:CipherValue>'
        '</xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>'
        f'<xenc:CipherData><xenc:CipherValue>{base64.b64encode(iv + ct).decode()}</xenc:CipherValue>'
        '</xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>'
    )
