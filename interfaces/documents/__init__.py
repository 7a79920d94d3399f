"""Documents the office hands out, rendered deterministically: the same input, the same bytes.

- ``pdf``: HTML (Jinja2 templates) → A4 PDF with WeasyPrint, Noto Sans CJK embedded,
  fixed metadata and file identifier.
- ``xlsx``: workbooks with XlsxWriter (numbers as numbers, frozen headers, one sheet per
  section, fixed properties and zip timestamps, text never turned into a formula).
- ``tabular``: CSV with a UTF-8 BOM and the same formula-injection rule, and a zip of
  one CSV per section.
- ``qr`` and ``charts``: inline SVG for QR codes (segno) and black-and-white bar charts.
"""

from interfaces.documents.charts import Bar, bar_chart_svg
from interfaces.documents.pdf import render_pdf, render_template
from interfaces.documents.qr import qr_svg
from interfaces.documents.tabular import csv_bytes, csv_zip, safe_text
from interfaces.documents.xlsx import Column, Sheet, xlsx_bytes

__all__ = [
    "Bar",
    "Column",
    "Sheet",
    "bar_chart_svg",
    "csv_bytes",
    "csv_zip",
    "qr_svg",
    "render_pdf",
    "render_template",
    "safe_text",
    "xlsx_bytes",
]
