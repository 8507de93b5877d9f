"""Opening workbooks that strangers upload.

An .xlsx is a zip of XML parts. Before openpyxl sees one we check that it is
a zip, that it is an Excel workbook, and that its parts do not expand beyond
a bound (a zip bomb of a few kilobytes can expand to gigabytes). openpyxl
parses the XML with defusedxml when it is installed, which refuses entity
expansion tricks.
"""

import io
import zipfile

import openpyxl
from django.conf import settings

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


class UnsafeWorkbook(Exception):
    pass


def open_workbook(data, *, max_bytes=None):
    """Open .xlsx bytes read-only, or raise UnsafeWorkbook with a plain reason."""
    max_bytes = max_bytes or getattr(settings, "XLSFORM_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
    if len(data) > max_bytes:
        raise UnsafeWorkbook(
            f"the file is {len(data) // 1024} KB; the limit is {max_bytes // 1024} KB"
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnsafeWorkbook("the file is not an Excel workbook (.xlsx)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            total = sum(member.file_size for member in members)
            compressed = sum(member.compress_size for member in members) or 1
    except zipfile.BadZipFile as error:
        raise UnsafeWorkbook("the file is not an Excel workbook (.xlsx)") from error
    if "xl/workbook.xml" not in names:
        raise UnsafeWorkbook("the file is a zip archive but not an Excel workbook (.xlsx)")
    # Small workbooks can compress very well; the ratio matters only for big ones.
    suspicious_ratio = total > 5 * 1024 * 1024 and total / compressed > MAX_COMPRESSION_RATIO
    if total > MAX_UNCOMPRESSED_BYTES or suspicious_ratio:
        raise UnsafeWorkbook(
            "the workbook expands to more than it should (possible zip bomb); refused"
        )
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise UnsafeWorkbook(
            f"the workbook could not be read ({error.__class__.__name__})"
        ) from error
