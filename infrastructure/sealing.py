"""Ed25519 keys that sign chain seals (the ``cryptography`` library does the cryptography)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from domain.seal import seal_message
from infrastructure.settings import Settings

ALGORITHM = "ed25519"


class SealKeyError(Exception):
    """The seal key is missing or not an Ed25519 key."""


def key_id(public: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the first 16 bytes of its SHA-256, in hex."""
    return hashlib.sha256(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).digest()[:16].hex()


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def generate_key(path: Path, *, force: bool = False) -> Ed25519PrivateKey:
    """A new private key written to ``path`` (readable by its owner only)."""
    if path.exists() and not force:
        raise SealKeyError(f"{path} already exists (keep it, or pass --force to replace it)")
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        raise SealKeyError(
            f"no seal key at {path}: create one with `volunteer-ledger audit keygen` "
            "(or set VL_SEAL_KEY_PATH)"
        )
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SealKeyError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(pem: bytes, *, source: str = "public key") -> Ed25519PublicKey:
    try:
        key = load_pem_public_key(pem)
    except ValueError as e:
        raise SealKeyError(f"{source} is not a PEM public key: {e}") from e
    if not isinstance(key, Ed25519PublicKey):
        raise SealKeyError(f"{source} is not an Ed25519 public key")
    return key


def trusted_keys(settings: Settings) -> dict[str, Ed25519PublicKey]:
    """The public keys seals are checked against: the signing key's and any listed ones."""
    keys: dict[str, Ed25519PublicKey] = {}
    if settings.seal_key_path.exists():
        public = load_private_key(settings.seal_key_path).public_key()
        keys[key_id(public)] = public
    for path in settings.seal_public_keys:
        public = load_public_key(path.read_bytes(), source=str(path))
        keys[key_id(public)] = public
    return keys


def sign(key: Ed25519PrivateKey, position: int, head_hash: str) -> str:
    return key.sign(seal_message(position, head_hash)).hex()


def signature_holds(
    public: Ed25519PublicKey, position: int, head_hash: str, signature: str
) -> bool:
    try:
        public.verify(bytes.fromhex(signature), seal_message(position, head_hash))
    except (InvalidSignature, ValueError):
        return False
    return True
