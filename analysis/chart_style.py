"""What every dashboard chart shares: size, palette (Okabe–Ito, cividis),
second cues, notes on n and small cells, label shortening. Pure helpers of
analysis.charts."""

import textwrap
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.chart_layout import Layout

DPI = 100


# DejaVu Sans (matplotlib's own) has no Arabic or Chinese: the glyphs it
# lacks come from Debian's Noto fonts (fonts-noto-core, fonts-noto-cjk), and
# matplotlib from 3.11 shapes Arabic and lays it out right to left itself.
FALLBACK_FONTS = ("Noto Sans Arabic", "Noto Sans CJK SC")
NOTO_FILES = (
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)


def _use_fallback_fonts():
    """Register the Noto fonts (a font cache made before they were installed
    does not know them) and put them after DejaVu Sans."""
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in NOTO_FILES:
        if path not in known and Path(path).exists():
            font_manager.fontManager.addfont(path)
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    # Only those present: a missing family would be logged on every text.
    matplotlib.rcParams["font.family"] = ["DejaVu Sans"] + [
        name for name in FALLBACK_FONTS if name in names
    ]


_use_fallback_fonts()


FIGSIZE = (9.0, 6.0)


NO_DATA = gettext_lazy("No data to show yet")


LABEL_LENGTH = 45


# Okabe & Ito (2008), "Color universal design"; black last so that it is
# used only when seven domains are already taken.
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)


MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">")


# The second cue for bars once the palette repeats.
HATCHES = ("", "//", "..", "xx")


LINE_STYLES = ("-", "--", "-.", ":")


# Yellow is too faint for a thin line on white, and black is the total.
LINE_COLOURS = tuple(colour for colour in OKABE_ITO if colour not in ("#F0E442", "#000000"))


SEQUENTIAL_COLORMAP = "cividis"


def new_figure(size):
    figure = Figure(figsize=size, dpi=DPI)
    # Matplotlib's constrained layout, with its second pass only when needed.
    figure.set_layout_engine(Layout())
    return figure


def empty_figure(title, *notes):
    figure = new_figure(FIGSIZE)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.text(
        0.5,
        0.5,
        str(NO_DATA),
        ha="center",
        va="center",
        fontsize=14,
        color="#555555",
        transform=axes.transAxes,
    )
    figure.suptitle(title)
    add_note(figure, *notes)
    return figure


def add_note(figure, *sentences):
    # supxlabel, unlike figure.text, gets room from the constrained layout.
    lines = textwrap.wrap(" ".join(str(sentence) for sentence in sentences if sentence), 130)
    figure.supxlabel(plain("\n".join(lines)), x=0.01, ha="left", fontsize=8, color="#444444")


def shown(table, value, min_n):
    """The rows a chart may draw: not suppressed, n at least min_n, a value."""
    if table.empty:
        return table
    keep = (table["n"] >= min_n) & pd.to_numeric(table[value], errors="coerce").notna()
    if "suppressed" in table:
        keep &= ~table["suppressed"].astype(bool)
    return table[keep]


def suppression_note(table, value, min_n, unit):
    """The chart's note on n and small cells; `unit` is "competency" or "cell"."""
    rule = ngettext(
        "Groups with fewer than %(count)d respondent are not shown (n only).",
        "Groups with fewer than %(count)d respondents are not shown (n only).",
        min_n,
    ) % {"count": min_n}
    if table.empty:
        return _("n = 0.") + " " + rule
    n = table["n"].astype(int)
    span = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
    hidden = len(table) - len(shown(table, value, min_n))
    # Translators: %(span)s is a number of respondents or a range such as "3–7".
    if unit == "competency":
        counts = _("n = %(span)s respondents per competency.") % {"span": span}
    else:
        counts = _("n = %(span)s respondents per cell.") % {"span": span}
    if hidden:
        rule = _hidden_rule(unit, hidden) % {"min_n": min_n, "count": hidden}
    return f"{counts} {rule}"


def _hidden_rule(unit, hidden):
    if unit == "competency":
        return ngettext(
            "Groups with fewer than %(min_n)d respondents are not shown (n only); "
            "%(count)d competency hidden.",
            "Groups with fewer than %(min_n)d respondents are not shown (n only); "
            "%(count)d competencies hidden.",
            hidden,
        )
    return ngettext(
        "Groups with fewer than %(min_n)d respondents are not shown (n only); "
        "%(count)d cell hidden.",
        "Groups with fewer than %(min_n)d respondents are not shown (n only); "
        "%(count)d cells hidden.",
        hidden,
    )


def domain_styles(domains):
    """One colour, marker and hatch per domain, in a stable order so a domain
    keeps its colour from chart to chart (categories when the column has them)."""
    if isinstance(domains.dtype, pd.CategoricalDtype):
        names = [str(name) for name in domains.cat.categories]
    else:
        names = sorted({domain_name(domain) for domain in domains})
    if domains.isna().any():
        names.append(domain_name(None))
    return {
        name: {
            "color": OKABE_ITO[index % len(OKABE_ITO)],
            "hatch": HATCHES[index // len(OKABE_ITO) % len(HATCHES)],
            "marker": MARKERS[index % len(MARKERS)],
        }
        for index, name in enumerate(names)
    }


def domain_name(domain):
    return _("(no domain)") if pd.isna(domain) else str(domain)


def domain_legend(figure, styles, shown, domain_labels, kind):
    handles = []
    for domain in sorted(set(shown), key=list(styles).index):
        style = styles[domain]
        label = plain(truncate((domain_labels or {}).get(domain, domain), 30))
        if kind == "bar":
            handles.append(
                Patch(
                    facecolor=style["color"], hatch=style["hatch"], edgecolor="#333333", label=label
                )
            )
        else:
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="",
                    marker=style["marker"],
                    markersize=7,
                    color=style["color"],
                    markeredgecolor="#333333",
                    label=label,
                )
            )
    figure.legend(handles=handles, title=_("Domain"), loc="outside right upper", fontsize=8)


def bar_height(count):
    # A quarter inch per bar, plus room for the title, axis labels and note.
    return max(4.0, 2.5 + 0.25 * count)


def bar_label(code, labels):
    statement = (labels or {}).get(code)
    text = f"{code}  {truncate(statement, LABEL_LENGTH)}" if statement else str(code)
    return plain(text)


def point_label(code, labels):
    statement = (labels or {}).get(code)
    return plain(f"{code} {truncate(statement, 25)}" if statement else str(code))


def truncate(text, length):
    text = str(text)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def plain(text):
    # A "$" would otherwise switch matplotlib into mathtext.
    return str(text).replace("$", r"\$")


# Translators: the names of groupings, in lower case, as chart titles and
# axes use them ("Mean training gap by region and domain").
GROUPING_WORDS = {
    "region": gettext_lazy("region"),
    "domain": gettext_lazy("domain"),
    "country": gettext_lazy("country"),
    "agency_kind": gettext_lazy("agency kind"),
    "role": gettext_lazy("role"),
    "campaign": gettext_lazy("campaign"),
}


def words(name):
    return str(GROUPING_WORDS.get(name, name.replace("_", " ")))


def padded(values):
    low, high = float(np.min(values)), float(np.max(values))
    margin = max(0.15 * (high - low), 0.25)
    return low - margin, high + margin


def rate(count, invited):
    # Translators: a response rate, such as "30% (3 of 10)".
    return _("%(percent)s (%(count)d of %(invited)d)") % {
        "percent": f"{count / invited:.0%}",
        "count": count,
        "invited": invited,
    }


def text_colour(background):
    """Black or white, whichever contrasts more with the background (WCAG 2
    relative luminance)."""
    channels = np.asarray(background[:3], dtype=float)
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ [0.2126, 0.7152, 0.0722])
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"
