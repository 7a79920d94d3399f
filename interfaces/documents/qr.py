"""QR codes as inline SVG (segno): no raster, no temp files, the same text gives the same SVG."""

from __future__ import annotations

import io

import segno


def qr_svg(text: str, *, scale: int = 3, error: str = "m") -> str:
    """An ``<svg>`` element carrying ``text``, black on white, for a page or a PDF."""
    code = segno.make(text, error=error, micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True, nl=False)
    return out.getvalue().decode("ascii")
