"""The local stack's own certificate authority, and the certificate its Kafka brokers present.

Generated once with `cryptography` and kept in `.runtime/tls/`: `ca.pem` is what every client trusts
(`KAFKA_CA_FILE`, kcat's `ssl.ca.location`); the CA's key and the brokers' key are readable by their
owner only. The broker certificate names 127.0.0.1 and localhost, so clients verify the host name too.
"""

from __future__ import annotations

import datetime
from ipaddress import ip_address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from deploy.local_stack.runtime import RUNTIME_DIR, write_private

TLS_DIR = RUNTIME_DIR / "tls"
CA_FILE = TLS_DIR / "ca.pem"
CA_KEY_FILE = TLS_DIR / "ca-key.pem"
BROKER_KEYSTORE = TLS_DIR / "broker.pem"
"""The brokers' private key (unencrypted PKCS#8, 0600) followed by their certificate: Kafka's PEM keystore."""
VALID_FOR = datetime.timedelta(days=825)


def ensure_certificates() -> Path:
    """Create the CA and the broker certificate unless they exist; return the CA file clients trust."""
    if not (CA_FILE.exists() and CA_KEY_FILE.exists()):
        _new_authority()
    if not BROKER_KEYSTORE.exists():
        _new_broker_certificate()
    return CA_FILE


def _new_authority() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "diversion local stack CA")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private(CA_KEY_FILE, _private_pem(key))
    CA_FILE.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    BROKER_KEYSTORE.unlink(missing_ok=True)  # signed by a CA that no longer exists


def _new_broker_certificate() -> None:
    authority_key = serialization.load_pem_private_key(CA_KEY_FILE.read_bytes(), password=None)
    authority = x509.load_pem_x509_certificate(CA_FILE.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kafka broker")]))
        .issuer_name(authority.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_key.public_key()), critical=False)
        .sign(authority_key, hashes.SHA256())
    )
    chain = certificate.public_bytes(serialization.Encoding.PEM) + CA_FILE.read_bytes()
    write_private(BROKER_KEYSTORE, _private_pem(key) + chain.decode())


def _private_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
