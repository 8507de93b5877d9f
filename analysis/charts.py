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
for the heatmap."""

import textwrap
import threading
from io import BytesIO

import matplotlib
import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import PercentFormatter
from matplotlib.transforms import offset_copy

from analysis import chart_style as style
from analysis import gaps
from analysis.chart_canvas import Canvas, collector_paused, png

FORMATS = ("png", "svg")

# rc_context swaps the process-wide rcParams; the lock keeps two threads from
# restoring each other's settings half-way through a save.
_RC_LOCK = threading.Lock()
_SVG_RC = {"svg.hashsalt": "tna", "svg.fonttype": "none"}


def draw(build, fmt):
    """render(build(), fmt), the figure built and drawn with the garbage
    collector paused (chart_canvas.collector_paused): freed once drawn."""
    with collector_paused():
        return render(build(), fmt)


def render(figure, fmt):
    """The figure as PNG (at DPI) or SVG bytes; the same figure gives the same bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"cannot render {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "png":
        # One draw, which runs the layout engine first, then the pixels.
        # savefig would draw twice (a layout pass, then the picture): the
        # dashboard's charts are drawn on a click.
        canvas = Canvas(figure)
        canvas.draw()
        return png(np.asarray(canvas.buffer_rgba()), style.DPI)
    buffer = BytesIO()
    # A fixed hash salt makes SVG ids stable, "none" keeps text as text, and
    # no date is written, so identical charts give identical bytes.
    with _RC_LOCK, matplotlib.rc_context(_SVG_RC):
        figure.savefig(buffer, format=fmt, dpi=style.DPI, metadata={"Date": None})
    return buffer.getvalue()


def gap_bars(
    table,
    top=15,
    min_n=gaps.DEFAULT_MIN_N,
    title=None,
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
    title = title or _("Largest training gaps by competency")
    note = style.suppression_note(table, "gap_mean", min_n, "competency")
    shown = style.shown(table, "gap_mean", min_n)
    if shown.empty:
        return style.empty_figure(title, note)
    enough = len(shown)
    shown = shown.assign(_order=shown["rank"].astype("Float64").fillna(np.inf))
    shown = shown.sort_values(["_order", "competency"], kind="stable").head(top)
    styles = style.domain_styles(table["domain"])

    figure = style.new_figure((style.FIGSIZE[0], style.bar_height(len(shown))))
    axes = figure.add_subplot()
    positions = np.arange(len(shown))
    gap_mean = shown["gap_mean"].to_numpy(dtype=float)
    low = np.nan_to_num(gap_mean - shown["gap_ci_low"].to_numpy(dtype=float))
    high = np.nan_to_num(shown["gap_ci_high"].to_numpy(dtype=float) - gap_mean)
    domains = [style.domain_name(domain) for domain in shown["domain"]]
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
    # Text 4 points right of each bar's end: plain text, where annotations
    # cost twice as much to lay out and draw.
    beside = offset_copy(axes.transData, fig=figure, x=4, y=0, units="points")
    for position, end, mwds in zip(positions, ends, shown["mwds"], strict=True):
        axes.text(end, position, f"MWDS {mwds:.1f}", transform=beside, va="center", fontsize=8)
    axes.set_yticks(positions, [style.bar_label(code, labels) for code in shown["competency"]])
    axes.invert_yaxis()
    axes.axvline(0, color="#333333", linewidth=0.8)
    left = min(0.0, np.nanmin(gap_mean - low))
    right = max(0.0, np.nanmax(ends))
    axes.set_xlim(left - 0.05 * (right - left or 1), right + 0.2 * (right - left or 1))
    # xgettext:no-python-format
    axes.set_xlabel(_("Mean gap, importance − capability (1–5 scale), with 95% interval"))
    axes.set_ylabel(_("Competency, ranked by MWDS"))
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    style.domain_legend(figure, styles, domains, domain_labels, kind="bar")

    ranking = ngettext(
        "The %(shown)d highest of %(count)d competency with enough respondents, ranked by "
        "Borich's mean weighted discrepancy score (MWDS = importance mean × mean gap).",
        "The %(shown)d highest of %(count)d competencies with enough respondents, ranked by "
        "Borich's mean weighted discrepancy score (MWDS = importance mean × mean gap).",
        enough,
    ) % {"shown": len(shown), "count": enough}
    figure.suptitle(title)
    style.add_note(figure, ranking, note)
    return figure


def heatmap(
    table,
    row="region",
    column="domain",
    value="gap_mean",
    min_n=gaps.DEFAULT_MIN_N,
    title=None,
    domain_labels=None,
    value_label=None,
):
    """A `row` × `column` matrix of `value`, from e.g. gaps.domain_gaps(frame,
    by="region"). Suppressed cells are hatched grey and say "n<min_n";
    the others show the value to one decimal."""
    # Translators: %(rows)s and %(columns)s name groupings in lower case, such
    # as "region" and "domain".
    title = title or _("Mean training gap by %(rows)s and %(columns)s") % {
        "rows": style.words(row),
        "columns": style.words(column),
    }
    value_label = value_label or _("Mean gap (importance − capability)")
    note = style.suppression_note(table, value, min_n, "cell")
    if table.empty:
        return style.empty_figure(title, note)
    data = table.assign(
        _row=table[row].astype(str),
        _column=table[column].astype(str),
        _value=pd.to_numeric(table[value], errors="coerce"),
        _hidden=~table.index.isin(style.shown(table, value, min_n).index),
    )
    rows = sorted(data["_row"].unique())
    columns = sorted(data["_column"].unique())
    values = data.pivot(index="_row", columns="_column", values="_value")
    values = values.reindex(index=rows, columns=columns)
    hidden = data.pivot(index="_row", columns="_column", values="_hidden")
    hidden = hidden.reindex(index=rows, columns=columns).fillna(False).to_numpy(dtype=bool)
    matrix = np.ma.masked_invalid(values.to_numpy(dtype=float))
    matrix[hidden] = np.ma.masked

    figure = style.new_figure(style.FIGSIZE)
    axes = figure.add_subplot()
    colormap = matplotlib.colormaps[style.SEQUENTIAL_COLORMAP]
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
                color=style.text_colour(background),
            )
    axes.set_xticks(
        range(len(columns)),
        [
            style.plain(style.truncate((domain_labels or {}).get(name, name), 30))
            for name in columns
        ],
        rotation=30,
        ha="right",
        rotation_mode="anchor",
    )
    axes.set_yticks(range(len(rows)), [style.plain(name) for name in rows])
    # White borders between the cells, drawn as two line collections: as a
    # grid on minor ticks they cost a tick object (with its label and lines)
    # per border, laid out and drawn on every chart.
    border = {"color": "white", "linewidth": 2, "clip_on": True}
    axes.hlines(np.arange(len(rows) + 1) - 0.5, -0.5, len(columns) - 0.5, **border)
    axes.vlines(np.arange(len(columns) + 1) - 0.5, -0.5, len(rows) - 0.5, **border)
    axes.set_xlabel(style.words(column).capitalize())
    axes.set_ylabel(style.words(row).capitalize())
    if matrix.count():
        # Beside the plot, as figure.colorbar(ax=axes) puts it, but in the
        # plot's own decorations: the layout measures it in one pass
        # (analysis.chart_layout), where a colorbar of the figure needs two.
        bar = axes.inset_axes([1.025, 0, 0.025, 1])
        figure.colorbar(image, cax=bar, label=value_label)
    figure.suptitle(title)
    style.add_note(figure, note)
    return figure


# Translators: the four corners of the importance–capability chart; the line
# break keeps each label narrow.
QUADRANT_CORNERS = [
    (gettext_lazy("Important,\ncapability low"), 0.01, 0.99, "left", "top"),
    (gettext_lazy("Important,\ncapability high"), 0.99, 0.99, "right", "top"),
    (gettext_lazy("Less important,\ncapability low"), 0.01, 0.01, "left", "bottom"),
    (gettext_lazy("Less important,\ncapability high"), 0.99, 0.01, "right", "bottom"),
]


def _place_labels(figure, labels):
    """Move each label (an annotation of its point) to the first of a ring of
    ever farther offsets where its box meets no label placed before it, as
    drawn: the labels of points close together do not overlap."""
    renderer = figure.canvas.get_renderer()  # an Agg canvas: see quadrant_plot
    candidates = [
        (radius * dx, radius * dy)
        for radius in (10, 18, 26, 34, 42, 50)
        for dx, dy in ((1, 1), (-1, 1), (1, -1), (-1, -1), (0, 1.3), (1.3, 0), (-1.3, 0), (0, -1.3))
    ]
    placed = []
    for label in labels:
        for offset in candidates:
            label.xyann = offset
            label.update_positions(renderer)
            box = Text.get_window_extent(label, renderer).padded(2)
            if not any(box.overlaps(other) for other in placed):
                break
        placed.append(box)


def quadrant_plot(
    table,
    min_n=gaps.DEFAULT_MIN_N,
    labels=None,
    title=None,
    domain_labels=None,
):
    """Each shown competency of a gap table (gaps.competency_gaps without
    `by`) at (capability_mean, importance_mean) on the whole 1–5 scale, with
    cross-hairs at the scale's midpoint and the diagonal where importance
    equals capability (gaps.QUADRANT_CONVENTION). Only the competencies
    ranked 1–10 carry a label, their rank, listed beside the chart: the
    labels never overlap the way 80 codes would."""
    title = title or _("Importance against current capability")
    note = style.suppression_note(table, "gap_mean", min_n, "competency")
    shown = style.shown(table, "importance_mean", min_n)
    shown = shown[shown["capability_mean"].notna()]
    if shown.empty:
        return style.empty_figure(title, gaps.quadrant_convention(), note)
    styles = style.domain_styles(table["domain"])
    capability = shown["capability_mean"].to_numpy(dtype=float)
    importance = shown["importance_mean"].to_numpy(dtype=float)
    domains = np.array([style.domain_name(domain) for domain in shown["domain"]])

    figure = style.new_figure(style.FIGSIZE)
    axes, side = figure.subplots(1, 2, width_ratios=[3, 2])
    side.axis("off")
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
    top = shown[shown["rank"].notna() & (shown["rank"] <= gaps.HIGH_RANKS)].sort_values("rank")
    low_x, high_x = style.padded(np.append(capability, gaps.SCALE_MIDPOINT))
    low_y, high_y = style.padded(np.append(importance, gaps.SCALE_MIDPOINT))
    axes.set_xlim(max(0.9, low_x), min(5.1, high_x))
    axes.set_ylim(max(0.9, low_y), min(5.1, high_y))
    key = [
        f"{int(row.rank)}. {style.point_label(row.competency, labels)}"
        for row in top.itertuples(index=False)
    ]
    axes.axvline(gaps.SCALE_MIDPOINT, color="#555555", linestyle="--", linewidth=1)
    axes.axhline(gaps.SCALE_MIDPOINT, color="#555555", linestyle="--", linewidth=1)
    axes.plot([1, 5], [1, 5], color="#999999", linewidth=1, zorder=1)
    for name, x, y, ha, va in QUADRANT_CORNERS:
        axes.text(x, y, str(name), transform=axes.transAxes, ha=ha, va=va, fontsize=8,
                  color="#555555")  # fmt: skip
    axes.set_xlabel(_("Current capability (mean rating, 1–5)"))
    axes.set_ylabel(_("Importance (mean rating, 1–5)"))
    axes.grid(color="#eeeeee", linewidth=0.6)
    axes.set_axisbelow(True)
    if key:
        side.text(0, 1, _("Ranked 1–10 by MWDS"), fontsize=9, fontweight="bold", va="top",
                  transform=side.transAxes)  # fmt: skip
        lines = "\n".join(textwrap.shorten(line, 48, placeholder="…") for line in key)
        side.text(0, 0.93, lines, fontsize=8, va="top", linespacing=1.6, transform=side.transAxes)
    style.domain_legend(figure, styles, domains, domain_labels, kind="marker")
    figure.suptitle(title)
    style.add_note(figure, gaps.quadrant_convention(), note)
    # Last, once the layout is final: the labels' places depend on it. The
    # layout engine alone, not a whole draw without rendering: the picture
    # is drawn once, by render.
    Canvas(figure)
    figure.get_layout_engine().execute(figure)
    figure.set_layout_engine("none")  # freeze it: the labels are placed for this layout
    marks = []
    for row in top.itertuples(index=False):
        label = axes.annotate(
            str(int(row.rank)),
            (row.capability_mean, row.importance_mean),
            xytext=(10, 10),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
            ha="center",
            va="center",
            bbox={"facecolor": "white", "edgecolor": "#999999", "pad": 1},
            zorder=4,
        )
        label.set_in_layout(False)  # the layout they were placed in must not move
        marks.append(label)
    _place_labels(figure, marks)
    # Each number's leader line, from its point to its box's centre, under
    # the points and the (opaque) box: an arrow clipped to the box, Bézier
    # curves and all, cost a tenth of the chart.
    to_data = axes.transData.inverted()
    for mark in marks:
        box = axes.transData.transform(mark.xy) + np.asarray(mark.xyann) * figure.dpi / 72
        (x, y), (box_x, box_y) = mark.xy, to_data.transform(box)
        axes.plot([x, box_x], [y, box_y], color="#777777", linewidth=0.6, zorder=2.5)
    return figure


def response_rate(submitted_at, invited, by=None, invited_by=None, title=None):
    """The cumulative share of `invited` agencies that have submitted, as a step line.

    `submitted_at` holds one submission time per agency (missing times are
    not counted). `by`, of the same length, gives each submission's group
    (e.g. region) and `invited_by` maps each group to its number of invited
    agencies; each group then gets its own line.
    """
    if by is not None and invited_by is None:
        raise ValueError("give invited_by, the invited count of each group, with by")
    title = title or _("Response rate over time")
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
    note = ngettext(
        "n = %(submitted)d of %(count)d invited agency has submitted.",
        "n = %(submitted)d of %(count)d invited agencies have submitted.",
        invited,
    ) % {"submitted": submitted, "count": invited}
    rule = _("Response rates count agencies, not ratings, so no group is suppressed.")
    if submissions.empty or not invited:
        return style.empty_figure(title, note, rule)

    first, last = submissions["submitted_at"].iloc[0], submissions["submitted_at"].iloc[-1]
    figure = style.new_figure(style.FIGSIZE)
    axes = figure.add_subplot()
    # Translators: %(rate)s is a response rate such as "30% (3 of 10)".
    everyone = _("All agencies: %(rate)s") % {"rate": style.rate(submitted, invited)}
    lines = [(everyone, submissions["submitted_at"], invited)]
    counted = {group: count for group, count in (invited_by or {}).items() if count}
    for group in sorted(counted, key=str):
        mine = submissions.loc[submissions["group"] == group, "submitted_at"]
        lines.append((f"{group}: {style.rate(len(mine), counted[group])}", mine, counted[group]))
    uncounted = submissions["group"].dropna()
    unknown = sorted({str(group) for group in uncounted if group not in counted})

    top = 1.0
    for index, (label, moments, count) in enumerate(lines):
        x = [first, *moments, last]
        y = np.array([0, *range(1, len(moments) + 1), len(moments)]) / count
        top = max(top, y.max())
        if index == 0:
            line = {"color": "#000000", "linewidth": 2.5, "linestyle": "-"}
        else:
            line = {
                "color": style.LINE_COLOURS[(index - 1) % len(style.LINE_COLOURS)],
                "linewidth": 1.8,
                "linestyle": style.LINE_STYLES[(index - 1) % len(style.LINE_STYLES)],
            }
        axes.step(x, y, where="post", label=style.plain(label), **line)
    axes.annotate(
        style.rate(submitted, invited),
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
    axes.set_xlabel(_("Date submitted (UTC)"))
    axes.set_ylabel(_("Invited agencies that have submitted"))
    axes.grid(color="#eeeeee", linewidth=0.6)
    if len(lines) > 1:
        # A cumulative line rises to the right, leaving the lower right free.
        axes.legend(loc="lower right", fontsize=8)
    if unknown:
        # Translators: %(groups)s lists regions, separated by commas.
        groups = _("Not drawn apart (no invited count): %(groups)s.") % {
            "groups": ", ".join(unknown)
        }
        note += " " + groups
    figure.suptitle(title)
    style.add_note(figure, note, rule)
    return figure


DASHBOARD_CHARTS = ("gaps", "heatmap", "quadrant", "response-rate")


def dashboard_chart(name, overview, *, labels, min_n, submissions=None):
    """The dashboard's chart `name` (one of DASHBOARD_CHARTS) as a Figure: the
    one builder the dashboard and the benchmark call. `overview` holds the
    tables of analysis.results.overview_tables; `labels` those of
    analysis.selectors.question_labels; `submissions`, for "response-rate",
    is (rows of (submitted_at, region), invited, invited by region), the
    only argument that chart reads (the others may be None)."""
    if name == "gaps":
        return gap_bars(
            overview["competencies"],
            top=15,
            min_n=min_n,
            labels=labels["competencies"],
            domain_labels=labels["domains"],
        )
    if name == "heatmap":
        return heatmap(overview["domains_by_region"], min_n=min_n, domain_labels=labels["domains"])
    if name == "quadrant":
        return quadrant_plot(overview["competencies"], min_n=min_n, domain_labels=labels["domains"])
    if name == "response-rate":
        rows, invited, invited_by = submissions
        return response_rate(
            [row[0] for row in rows], invited, by=[row[1] for row in rows], invited_by=invited_by
        )
    raise KeyError(f"no dashboard chart {name!r}; use one of {', '.join(DASHBOARD_CHARTS)}")
