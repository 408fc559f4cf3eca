"""Roster files for tests: CSV text, XLSX workbooks, and XLSX formulas with (or without) the value Excel saved."""
from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

HEADER = ["email", "name", "major", "degree level", "track", "group"]


def csv_bytes(rows: list[list[str]], header: list[str] | None = None, encoding: str = "utf-8-sig") -> bytes:
    lines = [header or HEADER] + rows
    return ("\r\n".join(",".join(cells) for cells in lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list], header: list[str] | None = None, cached: dict[str, tuple[str, str]] | None = None
               ) -> bytes:
    """A workbook of `rows`; a cell written as "=..." is a formula. `cached` gives formula cells the value Excel
    would have saved ({"B2": ("str", "Kim"), "C3": ("e", "#REF!")}); openpyxl alone saves none."""
    book = Workbook()
    sheet = book.active
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if not cached:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = content.decode()
                for ref, (kind, value) in cached.items():
                    xml = re.sub(rf'<c r="{ref}"><f>(.*?)</f><v ?/>(</v>)?</c>',
                                 lambda m: f'<c r="{ref}" t="{kind}"><f>{m.group(1)}</f><v>{value}</v></c>', xml)
                content = xml.encode()
            target.writestr(info, content)
    return out.getvalue()
