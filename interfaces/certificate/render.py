"""The certificate as an A4 PDF through the documents package (WeasyPrint, Noto Sans CJK
embedded; the same certificate gives the same bytes), with the signed statement in a QR
code, printed under it as text, and in the PDF's metadata (``Keywords``), so
``certificate verify`` can read it back from the file without decoding the QR image.
"""

from __future__ import annotations

from markupsafe import Markup

from interfaces.certificate.record import Certificate, figure
from interfaces.documents.pdf import render_pdf, render_template
from interfaces.documents.qr import qr_svg


def certificate_html(certificate: Certificate, verify_url: str = "") -> str:
    """The certificate's HTML; its QR code links to ``verify_url?c=…`` when given one."""
    scanned = f"{verify_url}?c={certificate.statement}" if verify_url else certificate.statement
    return render_template(
        "certificate.html",
        title=f"志愿服务记录证明 · {certificate.name}",
        issued=f"{certificate.issued.isoformat()}T00:00:00+08:00",
        office=certificate.office,
        c=certificate,
        qr=Markup(qr_svg(scanned, scale=2)),
        verify_url=verify_url,
        figure=figure,
    )


def certificate_pdf(certificate: Certificate, verify_url: str = "") -> bytes:
    return render_pdf(certificate_html(certificate, verify_url))
