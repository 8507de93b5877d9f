import pandas as pd
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Analysis")

    def ready(self):
        # pandas' text columns (the "str" dtype) held as Python strings, not
        # Arrow buffers: the frames are indexed, pivoted and matched on text
        # codes, and each such lookup on an Arrow column first copied it into
        # Python strings (a second of a workbook's four at 1.2 M answers).
        # The values and their semantics are the same either way.
        pd.set_option("mode.string_storage", "python")
