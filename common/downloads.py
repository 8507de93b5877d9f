"""What every download and upload shares: content types, the attachment
header, formula escaping for cells a spreadsheet will open, upload limits."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The default bound on an uploaded spreadsheet (XLSFORM_MAX_UPLOAD_BYTES and
# OFFLINE_MAX_UPLOAD_BYTES in the settings): a real one is well under a megabyte.
DEFAULT_UPLOAD_BYTES = 5 * 1024 * 1024
# OWASP, "CSV Injection": cells starting with these may run as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def escape_formula(text):
    """`text` made safe for a CSV cell a spreadsheet will open: a leading
    apostrophe when it starts like a formula (OWASP, "CSV Injection").
    Anything that is not a string (numbers, None) is returned unchanged."""
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Mark `response` as a download named `filename` (RFC 6266, with the
    UTF-8 form for names that are not plain ASCII)."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def upload_limit(setting: str = "XLSFORM_MAX_UPLOAD_BYTES") -> int:
    """The largest file, in bytes, that the upload named by `setting` takes
    (XLSFORM_MAX_UPLOAD_BYTES or OFFLINE_MAX_UPLOAD_BYTES; both in settings).
    Outside a configured project (a library call), the default."""
    if not settings.configured:
        return DEFAULT_UPLOAD_BYTES
    return int(getattr(settings, setting, DEFAULT_UPLOAD_BYTES))
