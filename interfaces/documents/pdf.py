"""HTML → A4 PDF with WeasyPrint, byte-identical for the same HTML.

Templates live in ``interfaces/documents/templates`` (Jinja2, autoescaped) and extend
``base.html``, which sets the page (A4, margins, page numbers) and the font: Noto Sans
CJK SC from Debian's ``fonts-noto-cjk``, found through fontconfig and embedded (subset)
in the PDF. A document's date goes into its metadata only when the template is given
one (``issued``, taken from the log, never the clock); the PDF file identifier is a hash
of the HTML. WeasyPrint's own output is otherwise deterministic (its font subset names
derive from the glyphs used), so the same HTML gives the same bytes.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
FONT_FAMILY = "Noto Sans CJK SC"


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(name: str, **context: Any) -> str:
    """The template ``name`` filled with ``context`` (HTML text)."""
    return _environment().get_template(name).render(font_family=FONT_FAMILY, **context)


def render_pdf(html: str) -> bytes:
    """The PDF of ``html``: A4 per the template's CSS, CJK font embedded, same HTML, same bytes."""
    from weasyprint import HTML  # here: loading pango slows every start, documents are rare

    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    document = HTML(string=html, base_url=str(TEMPLATES))
    pdf: bytes | None = document.write_pdf(pdf_identifier=identifier)
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return pdf
