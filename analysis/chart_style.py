"""What every dashboard chart shares: size, palette (Okabe–Ito, cividis),
second cues, notes on n and small cells, label shortening. Pure helpers of
analysis.charts."""

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

DPI = 100


FIGSIZE = (9.0, 6.0)


NO_DATA = "No data to show yet"


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
    figure.set_layout_engine("constrained")
    return figure


def empty_figure(title, *notes):
    figure = new_figure(FIGSIZE)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.text(
        0.5,
        0.5,
        NO_DATA,
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
    lines = textwrap.wrap(" ".join(sentence for sentence in sentences if sentence), 130)
    figure.supxlabel(plain("\n".join(lines)), x=0.01, ha="left", fontsize=8, color="#444444")


def shown(table, value, min_n):
    """The rows a chart may draw: not suppressed, n at least min_n, a value."""
    if table.empty:
        return table
    keep = (table["n"] >= min_n) & pd.to_numeric(table[value], errors="coerce").notna()
    if "suppressed" in table:
        keep &= ~table["suppressed"].astype(bool)
    return table[keep]


def suppression_note(table, value, min_n, unit, units):
    if table.empty:
        return f"n = 0. Groups with fewer than {min_n} respondents are not shown (n only)."
    n = table["n"].astype(int)
    span = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
    hidden = len(table) - len(shown(table, value, min_n))
    note = f"n = {span} respondents per {unit}. "
    note += f"Groups with fewer than {min_n} respondents are not shown (n only)"
    return note + (f"; {hidden} {unit if hidden == 1 else units} hidden." if hidden else ".")


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
    return "(no domain)" if pd.isna(domain) else str(domain)


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
    figure.legend(handles=handles, title="Domain", loc="outside right upper", fontsize=8)


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


def words(name):
    return name.replace("_", " ")


def padded(values):
    low, high = float(np.min(values)), float(np.max(values))
    margin = max(0.15 * (high - low), 0.25)
    return low - margin, high + margin


def rate(count, invited):
    return f"{count / invited:.0%} ({count} of {invited})"


def text_colour(background):
    """Black or white, whichever contrasts more with the background (WCAG 2
    relative luminance)."""
    channels = np.asarray(background[:3], dtype=float)
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ [0.2126, 0.7152, 0.0722])
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"
