"""The State profile's chart: the State's mean gap by domain beside its
region's and the world's (States equally weighted; analysis.profiles)."""

import numpy as np
from django.utils.translation import gettext as _

from . import chart_style as style
from . import charts
from .profiles import EQUAL_STATES

SERIES = (  # column, colour, hatch: colour-blind safe, with a second cue
    ("state_gap", style.OKABE_ITO[0], ""),
    ("region_gap", style.OKABE_ITO[1], "//"),
    ("world_gap", style.OKABE_ITO[2], ".."),
)


def state_comparison(table, *, state, region, domain_labels=None):
    """Grouped horizontal bars, one group per domain of `table`
    (profiles.comparison by domain), largest State gap first."""
    # Translators: %(state)s is a country, %(region)s its UN region.
    title = _("Mean training gap by domain: %(state)s, %(region)s and the world") % {
        "state": state,
        "region": region,
    }
    shown = table[table["state_gap"].notna()] if not table.empty else table
    if shown.empty:
        return style.empty_figure(title, EQUAL_STATES)
    shown = shown.sort_values("state_gap", ascending=True)
    figure = style.new_figure((style.FIGSIZE[0], max(4.0, 1.8 + 0.55 * len(shown))))
    axes = figure.add_subplot()
    positions = np.arange(len(shown))
    names = (
        state,
        # Translators: %(region)s is a UN region, whose States count equally in its mean.
        _("%(region)s (States equally)") % {"region": region},
        _("World (States equally)"),
    )
    for offset, (column, colour, hatch), name in zip((0.27, 0, -0.27), SERIES, names, strict=True):
        values = shown[column].astype(float).to_numpy()
        label = name
        if np.isnan(values).all():
            # Translators: %(series)s is a country, a region or the world.
            label = _("%(series)s: not shown") % {"series": name}
        axes.barh(
            positions + offset,
            np.nan_to_num(values),
            height=0.26,
            color=colour,
            hatch=hatch,
            edgecolor="#333333",
            linewidth=0.5,
            label=label,
        )
    labels = [
        style.truncate((domain_labels or {}).get(domain, domain), 40) for domain in shown["domain"]
    ]
    axes.set_yticks(positions, labels=[style.plain(label) for label in labels])
    axes.set_xlabel(_("Mean gap, importance − capability (points on the 1–5 scale)"))
    axes.axvline(0, color="#333333", linewidth=0.8)
    axes.grid(axis="x", color="#eeeeee", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.legend(loc="lower right", fontsize=8)
    figure.suptitle(title)
    style.add_note(
        figure,
        EQUAL_STATES,
        _(
            "A comparison is left out where fewer than the minimum of answers lie outside the "
            "State."
        ),
    )
    return figure


def profile_png(profile):
    """The chart of a State profile (analysis.state_profile) as PNG bytes, as
    its page and country report show it."""
    return charts.draw(
        lambda: state_comparison(
            profile.domains,
            state=profile.country.name,
            region=profile.region,
            domain_labels=profile.labels["domains"],
        ),
        "png",
    )
