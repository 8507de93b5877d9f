"""The offline questionnaire: one agency's questionnaire as an Excel workbook
(build), the signed sheet that binds it to its invitation (binding), and
reading it back when the agency uploads it (read, services)."""

from surveys.offline.binding import Binding, WorkbookRefused
from surveys.offline.build import build_offline_workbook, max_upload_bytes, workbook_filename
from surveys.offline.read import OfflineReading, Problem, read_offline_upload

__all__ = [
    "Binding",
    "OfflineReading",
    "Problem",
    "WorkbookRefused",
    "build_offline_workbook",
    "max_upload_bytes",
    "read_offline_upload",
    "workbook_filename",
]
