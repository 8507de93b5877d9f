"""Dashboard charts drawn from the gap tables of analysis.gaps.

Pure functions: each takes DataFrames (or sequences) and returns a matplotlib
`Figure`; `render` turns a figure into PNG or SVG bytes. Only matplotlib's
object API is used, never pyplot, whose global state is not safe in a
multi-threaded server.

Every chart carries a title, axis labels and a note with n and the
small-cell rule: a row below `min_n`, or marked `suppressed` by analysis.gaps,
is left out (a heatmap cell shows "n<min_n" only), so no suppressed mean is
drawn. Colours are colour-blind safe: the Okabe–Ito palette for categories,
always paired with a second cue (marker, hatch or line style), and "cividis"
for the heatmap.
"""

import textwrap
import threading
from io import BytesIO

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import PercentFormatter

from analysis import gaps

FORMATS = ("png", "svg")
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

# rc_context swaps the process-wide rcParams; the lock keeps two threads from
# restoring each other's settings half-way through a save.
_RC_LOCK = threading.Lock()
_SVG_RC = {"svg.hashsalt": "tna", "svg.fonttype": "none"}


def render(figure, fmt):
    """The figure as PNG (at DPI) or SVG bytes; the same figure gives the same bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"cannot render {fmt!r}; use one of {', '.join(FORMATS)}")
    buffer = BytesIO()
    # A fixed hash salt makes SVG ids stable, "none" keeps text as text, and
    # no date is written, so identical charts give identical bytes.
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with _RC_LOCK, matplotlib.rc_context(_SVG_RC):
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    return buffer.getvalue()


def gap_bars(
    table,
    top=15,
    min_n=gaps.DEFAULT_MIN_N,
    title="Largest training gaps by competency",
    labels=None,
    domain_labels=None,
):
    """Ranked horizontal bars of the mean gap of a competency gap table
    (gaps.competency_gaps without `by`), rank 1 at the top.

    Each bar shows the mean gap (importance − capability) with its 95%
    interval, is coloured by domain and is labelled with its Borich MWDS, the
    score the ranking uses. `labels` maps competency codes to short
    statements shown after the code.
    """
    note = _suppression_note(table, "gap_mean", min_n, "competency", "competencies")
    shown = _shown(table, "gap_mean", min_n)
    if shown.empty:
        return _empty_figure(title, note)
    shown = shown.assign(_order=shown["rank"].astype("Float64").fillna(np.inf))
    shown = shown.sort_values(["_order", "competency"], kind="stable").head(top)
    styles = _domain_styles(table["domain"])

    figure = _new_figure((FIGSIZE[0], _bar_height(len(shown))))
    axes = figure.add_subplot()
    positions = np.arange(len(shown))
    gap_mean = shown["gap_mean"].to_numpy(dtype=float)
    low = np.nan_to_num(gap_mean - shown["gap_ci_low"].to_numpy(dtype=float))
    high = np.nan_to_num(shown["gap_ci_high"].to_numpy(dtype=float) - gap_mean)
    domains = [_domain_name(domain) for domain in shown["domain"]]
    axes.barh(
        positions,
        gap_mean,
        height=0.7,
        color=[styles[domain]["color"] for domain in domains],
        hatch=[styles[domain]["hatch"] for domain in domains],
        edgecolor="#333333",
        linewidth=0.5,
        xerr=[low, high],
        error_kw={"ecolor": "#333333", "capsize": 3, "elinewidth": 1},
    )
    ends = np.maximum(np.maximum(gap_mean + high, 0), gap_mean)
    for position, end, mwds in zip(positions, ends, shown["mwds"], strict=True):
        axes.annotate(
            f"MWDS {mwds:.1f}",
            (end, position),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    axes.set_yticks(positions, [_bar_label(code, labels) for code in shown["competency"]])
    axes.invert_yaxis()
    axes.axvline(0, color="#333333", linewidth=0.8)
    left = min(0.0, np.nanmin(gap_mean - low))
    right = max(0.0, np.nanmax(ends))
    axes.set_xlim(left - 0.05 * (right - left or 1), right + 0.2 * (right - left or 1))
    axes.set_xlabel("Mean gap, importance − capability (1–5 scale), with 95% interval")
    axes.set_ylabel("Competency, ranked by MWDS")
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    _domain_legend(figure, styles, domains, domain_labels, kind="bar")

    enough = len(_shown(table, "gap_mean", min_n))
    ranking = (
        f"The {len(shown)} highest of {enough} competencies with enough respondents, ranked by "
        "Borich's mean weighted discrepancy score (MWDS = importance mean × mean gap)."
    )
    figure.suptitle(title)
    _add_note(figure, ranking, note)
    return figure


def heatmap(
    table,
    row="region",
    column="domain",
    value="gap_mean",
    min_n=gaps.DEFAULT_MIN_N,
    title=None,
    domain_labels=None,
    value_label="Mean gap (importance − capability)",
):
    """A `row` × `column` matrix of `value`, from e.g. gaps.domain_gaps(frame,
    by="region"). Suppressed cells are hatched grey and say "n<min_n";
    the others show the value to one decimal."""
    title = title or f"Mean training gap by {_words(row)} and {_words(column)}"
    note = _suppression_note(table, value, min_n, "cell", "cells")
    if table.empty:
        return _empty_figure(title, note)
    data = table.assign(
        _row=table[row].astype(str),
        _column=table[column].astype(str),
        _value=pd.to_numeric(table[value], errors="coerce"),
        _hidden=~table.index.isin(_shown(table, value, min_n).index),
    )
    rows = sorted(data["_row"].unique())
    columns = sorted(data["_column"].unique())
    values = data.pivot(index="_row", columns="_column", values="_value")
    values = values.reindex(index=rows, columns=columns)
    hidden = data.pivot(index="_row", columns="_column", values="_hidden")
    hidden = hidden.reindex(index=rows, columns=columns).fillna(False).to_numpy(dtype=bool)
    matrix = np.ma.masked_invalid(values.to_numpy(dtype=float))
    matrix[hidden] = np.ma.masked

    figure = _new_figure(FIGSIZE)
    axes = figure.add_subplot()
    colormap = matplotlib.colormaps[SEQUENTIAL_COLORMAP]
    image = axes.imshow(matrix, cmap=colormap, aspect="auto", interpolation="nearest")
    for (i, j), cell in np.ndenumerate(matrix.filled(np.nan)):
        if hidden[i, j]:
            axes.add_patch(
                Rectangle(
                    (j - 0.5, i - 0.5),
                    1,
                    1,
                    facecolor="#dddddd",
                    edgecolor="#999999",
                    hatch="//",
                    linewidth=0,
                )
            )
            axes.text(
                j,
                i,
                f"n<{min_n}",
                ha="center",
                va="center",
                fontsize=9,
                bbox={"facecolor": "#dddddd", "edgecolor": "none", "pad": 1},
            )
        elif np.isnan(cell):
            axes.text(j, i, "–", ha="center", va="center", color="#666666")
        else:
            background = colormap(image.norm(cell))
            axes.text(
                j,
                i,
                f"{cell:.1f}",
                ha="center",
                va="center",
                fontsize=9,
                color=_text_colour(background),
            )
    axes.set_xticks(
        range(len(columns)),
        [_plain(_truncate((domain_labels or {}).get(name, name), 30)) for name in columns],
        rotation=30,
        ha="right",
        rotation_mode="anchor",
    )
    axes.set_yticks(range(len(rows)), [_plain(name) for name in rows])
    axes.set_xticks(np.arange(len(columns) + 1) - 0.5, minor=True)
    axes.set_yticks(np.arange(len(rows) + 1) - 0.5, minor=True)
    axes.grid(which="minor", color="white", linewidth=2)
    axes.tick_params(which="minor", length=0)
    axes.set_xlabel(_words(column).capitalize())
    axes.set_ylabel(_words(row).capitalize())
    if matrix.count():
        figure.colorbar(image, ax=axes, label=value_label)
    figure.suptitle(title)
    _add_note(figure, note)
    return figure


def quadrant_plot(
    table,
    min_n=gaps.DEFAULT_MIN_N,
    labels=None,
    title="Importance–performance quadrants: capability (x) against importance (y)",
    domain_labels=None,
):
    """Each shown competency of a gap table (gaps.competency_gaps without
    `by`) at (capability_mean, importance_mean), with dashed cross-hairs at
    the grand means of the item means shown (gaps.QUADRANT_CONVENTION)."""
    note = _suppression_note(table, "gap_mean", min_n, "competency", "competencies")
    shown = _shown(table, "importance_mean", min_n)
    shown = shown[shown["capability_mean"].notna()]
    if shown.empty:
        return _empty_figure(title, gaps.QUADRANT_CONVENTION, note)
    styles = _domain_styles(table["domain"])
    capability = shown["capability_mean"].to_numpy(dtype=float)
    importance = shown["importance_mean"].to_numpy(dtype=float)
    domains = np.array([_domain_name(domain) for domain in shown["domain"]])

    figure = _new_figure(FIGSIZE)
    axes = figure.add_subplot()
    for domain in dict.fromkeys(domains):
        here = domains == domain
        axes.scatter(
            capability[here],
            importance[here],
            color=styles[domain]["color"],
            marker=styles[domain]["marker"],
            edgecolor="#333333",
            linewidth=0.5,
            s=50,
            zorder=3,
        )
    for x, y, code in zip(capability, importance, shown["competency"], strict=True):
        axes.annotate(
            _point_label(code, labels),
            (x, y),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=8,
        )
    axes.axvline(capability.mean(), color="#555555", linestyle="--", linewidth=1)
    axes.axhline(importance.mean(), color="#555555", linestyle="--", linewidth=1)
    axes.set_xlim(*_padded(capability))
    axes.set_ylim(*_padded(importance))
    corners = [
        (gaps.CONCENTRATE, 0.01, 0.99, "left", "top"),
        (gaps.KEEP_UP, 0.99, 0.99, "right", "top"),
        (gaps.LOW_PRIORITY, 0.01, 0.01, "left", "bottom"),
        (gaps.POSSIBLE_OVERKILL, 0.99, 0.01, "right", "bottom"),
    ]
    for name, x, y, ha, va in corners:
        axes.text(
            x,
            y,
            name,
            transform=axes.transAxes,
            ha=ha,
            va=va,
            fontsize=10,
            fontweight="bold",
            color="#333333",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 2},
        )
    axes.set_xlabel("Current capability (mean rating, 1–5)")
    axes.set_ylabel("Importance (mean rating, 1–5)")
    axes.grid(color="#eeeeee", linewidth=0.6)
    axes.set_axisbelow(True)
    _domain_legend(figure, styles, domains, domain_labels, kind="marker")
    figure.suptitle(title)
    _add_note(figure, gaps.QUADRANT_CONVENTION, note)
    return figure


def response_rate(submitted_at, invited, by=None, invited_by=None, title="Response rate over time"):
    """The cumulative share of `invited` agencies that have submitted, as a step line.

    `submitted_at` holds one submission time per agency (missing times are
    not counted). `by`, of the same length, gives each submission's group
    (e.g. region) and `invited_by` maps each group to its number of invited
    agencies; each group then gets its own line.
    """
    if by is not None and invited_by is None:
        raise ValueError("give invited_by, the invited count of each group, with by")
    times = pd.to_datetime(pd.Series(list(submitted_at), dtype=object), utc=True)
    submissions = (
        pd.DataFrame(
            {
                "submitted_at": times.dt.tz_convert(None),
                "group": list(by) if by is not None else None,
            }
        )
        .dropna(subset=["submitted_at"])
        .sort_values("submitted_at", kind="stable")
    )
    submitted = len(submissions)
    note = f"n = {submitted} of {invited} invited agencies have submitted."
    rule = "Response rates count agencies, not ratings, so no group is suppressed."
    if submissions.empty or not invited:
        return _empty_figure(title, note, rule)

    first, last = submissions["submitted_at"].iloc[0], submissions["submitted_at"].iloc[-1]
    figure = _new_figure(FIGSIZE)
    axes = figure.add_subplot()
    lines = [(f"All agencies: {_rate(submitted, invited)}", submissions["submitted_at"], invited)]
    counted = {group: count for group, count in (invited_by or {}).items() if count}
    for group in sorted(counted, key=str):
        mine = submissions.loc[submissions["group"] == group, "submitted_at"]
        lines.append((f"{group}: {_rate(len(mine), counted[group])}", mine, counted[group]))
    uncounted = submissions["group"].dropna()
    unknown = sorted({str(group) for group in uncounted if group not in counted})

    top = 1.0
    for index, (label, moments, count) in enumerate(lines):
        x = [first, *moments, last]
        y = np.array([0, *range(1, len(moments) + 1), len(moments)]) / count
        top = max(top, y.max())
        if index == 0:
            style = {"color": "#000000", "linewidth": 2.5, "linestyle": "-"}
        else:
            style = {
                "color": LINE_COLOURS[(index - 1) % len(LINE_COLOURS)],
                "linewidth": 1.8,
                "linestyle": LINE_STYLES[(index - 1) % len(LINE_STYLES)],
            }
        axes.step(x, y, where="post", label=_plain(label), **style)
    axes.annotate(
        _rate(submitted, invited),
        (last, submitted / invited),
        xytext=(5, 0),
        textcoords="offset points",
        va="center",
        fontweight="bold",
    )
    axes.set_ylim(0, top * 1.05)
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_xlabel("Date submitted (UTC)")
    axes.set_ylabel("Invited agencies that have submitted")
    axes.grid(color="#eeeeee", linewidth=0.6)
    if len(lines) > 1:
        # A cumulative line rises to the right, leaving the lower right free.
        axes.legend(loc="lower right", fontsize=8)
    if unknown:
        note += f" Not drawn apart (no invited count): {', '.join(unknown)}."
    figure.suptitle(title)
    _add_note(figure, note, rule)
    return figure


def _new_figure(size):
    figure = Figure(figsize=size, dpi=DPI)
    figure.set_layout_engine("constrained")
    return figure


def _empty_figure(title, *notes):
    figure = _new_figure(FIGSIZE)
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
    _add_note(figure, *notes)
    return figure


def _add_note(figure, *sentences):
    # supxlabel, unlike figure.text, gets room from the constrained layout.
    lines = textwrap.wrap(" ".join(sentence for sentence in sentences if sentence), 130)
    figure.supxlabel(_plain("\n".join(lines)), x=0.01, ha="left", fontsize=8, color="#444444")


def _shown(table, value, min_n):
    """The rows a chart may draw: not suppressed, n at least min_n, a value."""
    if table.empty:
        return table
    keep = (table["n"] >= min_n) & pd.to_numeric(table[value], errors="coerce").notna()
    if "suppressed" in table:
        keep &= ~table["suppressed"].astype(bool)
    return table[keep]


def _suppression_note(table, value, min_n, unit, units):
    if table.empty:
        return f"n = 0. Groups with fewer than {min_n} respondents are not shown (n only)."
    n = table["n"].astype(int)
    span = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
    hidden = len(table) - len(_shown(table, value, min_n))
    note = f"n = {span} respondents per {unit}. "
    note += f"Groups with fewer than {min_n} respondents are not shown (n only)"
    return note + (f"; {hidden} {unit if hidden == 1 else units} hidden." if hidden else ".")


def _domain_styles(domains):
    """One colour, marker and hatch per domain, in a stable order so a domain
    keeps its colour from chart to chart (categories when the column has them)."""
    if isinstance(domains.dtype, pd.CategoricalDtype):
        names = [str(name) for name in domains.cat.categories]
    else:
        names = sorted({_domain_name(domain) for domain in domains})
    if domains.isna().any():
        names.append(_domain_name(None))
    return {
        name: {
            "color": OKABE_ITO[index % len(OKABE_ITO)],
            "hatch": HATCHES[index // len(OKABE_ITO) % len(HATCHES)],
            "marker": MARKERS[index % len(MARKERS)],
        }
        for index, name in enumerate(names)
    }


def _domain_name(domain):
    return "(no domain)" if pd.isna(domain) else str(domain)


def _domain_legend(figure, styles, shown, domain_labels, kind):
    handles = []
    for domain in sorted(set(shown), key=list(styles).index):
        style = styles[domain]
        label = _plain(_truncate((domain_labels or {}).get(domain, domain), 30))
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


def _bar_height(count):
    # A quarter inch per bar, plus room for the title, axis labels and note.
    return max(4.0, 2.5 + 0.25 * count)


def _bar_label(code, labels):
    statement = (labels or {}).get(code)
    text = f"{code}  {_truncate(statement, LABEL_LENGTH)}" if statement else str(code)
    return _plain(text)


def _point_label(code, labels):
    statement = (labels or {}).get(code)
    return _plain(f"{code} {_truncate(statement, 25)}" if statement else str(code))


def _truncate(text, length):
    text = str(text)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _plain(text):
    # A "$" would otherwise switch matplotlib into mathtext.
    return str(text).replace("$", r"\$")


def _words(name):
    return name.replace("_", " ")


def _padded(values):
    low, high = float(np.min(values)), float(np.max(values))
    margin = max(0.15 * (high - low), 0.25)
    return low - margin, high + margin


def _rate(count, invited):
    return f"{count / invited:.0%} ({count} of {invited})"


def _text_colour(background):
    """Black or white, whichever contrasts more with the background (WCAG 2
    relative luminance)."""
    channels = np.asarray(background[:3], dtype=float)
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ [0.2126, 0.7152, 0.0722])
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"
