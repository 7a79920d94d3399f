"""``volunteer-ledger certificate VOLUNTEER_ID --output FILE``: a service record
certificate; ``volunteer-ledger certificate verify FILE_OR_STATEMENT``: check one offline.

Verifying needs only the public key (``--public-key seal-public.pem``, from
``volunteer-ledger audit public-key``); without it, the keys this installation trusts
(the seal key's own and ``VL_SEAL_PUBLIC_KEYS``). No server and no database are used.
A certificate PDF is read for the statement it carries as text (its metadata and footer):
decoding the QR image itself would need an image library this service does not ship, so
a photo or a PNG of the QR is not read — scan it, or paste the statement printed under it.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.errors import NotFound
from infrastructure.certificates import (
    CLAIM_LABELS,
    StatementError,
    Verdict,
    check_statement,
    find_statement,
)
from infrastructure.sealing import (
    SealKeyError,
    key_id,
    load_private_key,
    load_public_key,
    trusted_keys,
)
from interfaces.certificate.record import figure, gather, signed
from interfaces.certificate.render import certificate_pdf
from interfaces.cli.common import (
    DatabaseUrl,
    console,
    errors,
    exits_on,
    fail,
    opened,
    settings_from,
)


def _keys(public_key: Path | None, database_url: str | None) -> dict[str, Ed25519PublicKey]:
    """The given public key alone, or else the keys this installation trusts."""
    if public_key is None:
        with exits_on(SealKeyError, code=2):
            return trusted_keys(settings_from(database_url))
    with exits_on(OSError, SealKeyError, code=2):
        public = load_public_key(public_key.read_bytes(), source=str(public_key))
    return {key_id(public): public}


def _statement_text(given: str) -> str:
    """The statement as given, or the text of the file it names (a PDF's unpacked)."""
    if not _names_a_file(given):
        return given
    raw = Path(given).read_bytes()
    _refuse_an_image(raw)
    return pdf_text(raw) if raw.startswith(b"%PDF") else raw.decode("latin-1")


def _names_a_file(given: str) -> bool:
    """Is ``given`` the path of a file? (A statement is no file name, and may be too long
    to be one.)"""
    try:
        return len(given) < 4096 and Path(given).is_file()
    except OSError:
        return False


def _refuse_an_image(raw: bytes) -> None:
    """A PNG or JPEG (a photo of the QR code) exits 2 saying what to give instead."""
    if raw.startswith((b"\x89PNG", b"\xff\xd8\xff")):
        errors.print(
            "[red]error:[/red] 这是一张图片：本工具不解码二维码图片。请用手机扫码，"
            "或把证明底部的“核验声明”文字（VLC1. 开头）作为参数传入，或传入证明的 PDF 文件。"
        )
        raise typer.Exit(2)


_STREAM = re.compile(rb"stream\r?\n")
_UNPACKED_LIMIT = 64 * 1024 * 1024


def pdf_text(raw: bytes) -> str:
    """A PDF's bytes with its compressed streams unpacked (the metadata holding the
    statement sits in a compressed object stream), as text to search; at most 64 MiB
    unpacked, however the file claims."""
    parts = [raw]
    unpacked = 0
    for found in _STREAM.finditer(raw):
        inflate = zlib.decompressobj()
        try:
            chunk = inflate.decompress(raw[found.end() :], _UNPACKED_LIMIT - unpacked)
        except zlib.error:
            continue
        unpacked += len(chunk)
        parts.append(chunk)
        if unpacked >= _UNPACKED_LIMIT:
            break
    return b"\n".join(parts).decode("latin-1")


def verify(given: str, public_key: Path | None, database_url: str | None) -> None:
    """Print what the statement claims and whether its signature holds (else exit 1)."""
    verdict = _checked(given, _keys(public_key, database_url))
    _print_claims(verdict.claims)
    if verdict.genuine:
        console.print("[green]核验通过：[/green]声明由出具单位的印章密钥签名，内容未被改动。")
        return
    console.print(f"[red]核验未通过：[/red]{verdict.problem_zh}（{verdict.problem}）")
    raise typer.Exit(1)


def _checked(given: str, keys: dict[str, Ed25519PublicKey]) -> Verdict:
    """The verdict on the statement found in ``given``; none found or unreadable exits 2."""
    try:
        return check_statement(find_statement(_statement_text(given)), keys)
    except StatementError as e:
        errors.print(f"[red]无法核验：[/red]{e.detail_zh}（{e}）")
        raise typer.Exit(2) from None


def _print_claims(claims: dict[str, Any]) -> None:
    for key, label in CLAIM_LABELS.items():
        if key in claims:
            console.print(f"{label}：{claims[key]}", highlight=False)


def certificate(
    target: Annotated[
        str,
        typer.Argument(
            help="The volunteer's id; or `verify` followed by a statement, a /verify link "
            "or a certificate PDF."
        ),
    ],
    given: Annotated[
        str | None, typer.Argument(help="With `verify`: the statement, link or PDF file.")
    ] = None,
    year: Annotated[int | None, typer.Option(min=2000, max=2100, help="One service year.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="The PDF to write.")] = None,
    public_key: Annotated[
        Path | None, typer.Option(help="With `verify`: the office's public key (PEM).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """A volunteer's service record certificate (PDF, with a signed QR statement), or
    `certificate verify FILE_OR_STATEMENT` to check one offline with the public key."""
    if target == "verify":
        verify(_given(given, "the statement, link or PDF file to verify"), public_key, database_url)
        return
    volunteer_id = _volunteer_id(target)
    _write_certificate(
        volunteer_id, year, _given(output, "--output FILE for the certificate PDF"), database_url
    )


T = TypeVar("T")


def _given(value: T | None, what: str) -> T:
    """``value``, which the command needs: missing, it exits 2 asking for ``what``."""
    if not value:
        raise fail(f"give {what}")
    return value


def _volunteer_id(target: str) -> UUID:
    try:
        return UUID(target)
    except ValueError:
        raise fail(f"{target!r} is not a volunteer id (a UUID) nor `verify`") from None


def _write_certificate(
    volunteer_id: UUID, year: int | None, output: Path, database_url: str | None
) -> None:
    """Gather the volunteer's record, sign it with the office's seal key, write the PDF."""
    with opened(database_url) as container:
        with exits_on(SealKeyError, code=2):
            key = load_private_key(container.settings.seal_key_path)
        with exits_on(NotFound, code=1):
            record = gather(container, volunteer_id, year, container.settings.issuing_office)
        output.write_bytes(certificate_pdf(signed(record, key)))
    console.print(
        f"certificate for {record.name} ({record.masked_id}) written to {output}: "
        f"{figure(record.hours)} hours, {figure(record.points)} points, "
        f"position {record.position}",
        highlight=False,
    )
