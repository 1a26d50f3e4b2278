"""Writes the `saml_parse` seeds and the fixed keys they are made with into fuzz/: an identity
provider's key and certificate and its metadata (`saml/metadata.xml`, which the target reads
its signing key from), the service provider's decryption key (`saml/sp-key.pem`), and SAML
responses signed with `signxml` (tests/compat/saml_idp.py) that verify at `iamd_fuzz::SAML_NOW`.

Run with the compat suite's venv (it has signxml and cryptography), from the repository root:

    tests/compat/.venv/bin/python fuzz/saml/seeds.py

The keys are test keys made for this and kept in git so the seeds can be regenerated; run with
`--new-keys` to replace them (the seeds then change too).
"""

from __future__ import annotations

import base64
import datetime
import pathlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

root = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(root / "tests" / "compat"))
import saml_idp  # noqa: E402

here = root / "fuzz" / "saml"
seeds = root / "fuzz" / "seeds" / "saml_parse"
ISSUER = "https://idp.example.test/fuzz"  # iamd_fuzz::SAML_ISSUER
NOW = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)  # iamd_fuzz::SAML_NOW


def pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_or_make_keys(new: bool):
    idp_key, sp_key = here / "idp-key.pem", here / "sp-key.pem"
    if new or not idp_key.exists():
        for p in (idp_key, sp_key):
            p.write_bytes(pem_key(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    idp = serialization.load_pem_private_key(idp_key.read_bytes(), None)
    sp = serialization.load_pem_private_key(sp_key.read_bytes(), None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "iamd fuzz idp")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(idp.public_key()).serial_number(1)
            .not_valid_before(NOW - datetime.timedelta(days=1))
            .not_valid_after(NOW + datetime.timedelta(days=3650))
            .sign(idp, hashes.SHA256()))
    return idp, sp, cert


def main() -> None:
    idp_key, sp_key, cert = load_or_make_keys("--new-keys" in sys.argv)
    idp = saml_idp.SamlIdp(ISSUER)
    idp.key, idp.cert = idp_key, cert
    seeds.mkdir(parents=True, exist_ok=True)

    def write(name: str, text: str) -> None:
        (seeds / name).write_text(text)

    metadata = idp.metadata()
    (here / "metadata.xml").write_text(metadata)
    write("metadata.xml", metadata)
    write("metadata-valid-until.xml", idp.metadata(valid_until=NOW + datetime.timedelta(days=30)))

    times = dict(not_before=NOW - datetime.timedelta(minutes=1),
                 not_on_or_after=NOW + datetime.timedelta(minutes=5))
    attrs = {saml_idp.ATTR + "Role": ["arn:aws:iam::111122223333:role/r,"
                                      "arn:aws:iam::111122223333:saml-provider/fuzz"],
             saml_idp.ATTR + "RoleSessionName": ["alice"],
             saml_idp.ATTR + "PrincipalTag:team": ["core"]}
    signed_assertion = idp.sign_assertion(idp.assertion_xml(attributes=attrs, assertion_id="_a1",
                                                            **times))
    response_over_assertion = idp.response_xml(signed_assertion)
    write("response-signed-assertion.xml", response_over_assertion)
    # The same response as AssumeRoleWithSAML receives it: base64 text.
    write("response-signed-assertion.b64", saml_idp.b64(response_over_assertion))
    whole = base64.b64decode(idp.response(sign="response", attributes=attrs,
                                          assertion_id="_a2", **times)).decode()
    write("response-signed-response.xml", whole)
    unsigned = idp.assertion_xml(attributes={}, assertion_id="_a3", **times).replace(
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>', "")
    write("response-unsigned.xml", idp.response_xml(unsigned))
    encrypted = saml_idp.encrypt_assertion(signed_assertion, sp_key.public_key())
    write("response-encrypted.xml", idp.response_xml(encrypted))
    encrypted256 = saml_idp.encrypt_assertion(signed_assertion, sp_key.public_key(),
                                              oaep_sha256=True)
    write("response-encrypted-oaep256.xml", idp.response_xml(encrypted256))
    write("private-key.pem", (here / "sp-key.pem").read_text())


if __name__ == "__main__":
    main()
