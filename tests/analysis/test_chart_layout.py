"""analysis.chart_layout lays charts out as Matplotlib's constrained layout
does: where it skips the second pass, the Axes end within a few pixels of
where Matplotlib's two passes put them, and where that pass matters (ticks
that moved, a colorbar of the figure's own) it runs it."""

import datetime

import numpy as np
import pytest
from matplotlib.layout_engine import ConstrainedLayoutEngine

from analysis import chart_layout, chart_style, charts, gaps
from tests.analysis.test_charts import make_frame, many_competencies, ratings

# Three pixels of the dashboard's 900-pixel-wide charts, in figure
# coordinates: the response-rate chart's last value, written beside its
# line's end, sticks out of the plot by more the narrower the plot is, which
# the second pass measures again (2 pixels).
NEAR = 3 / (chart_style.FIGSIZE[0] * chart_style.DPI)


@pytest.fixture(scope="module")
def frame():
    regions = {"Africa": range(0, 6), "Europe": range(6, 12), "Asia-Pacific": range(12, 18)}
    rows = []
    for number, domain in enumerate(["forensics", "cooperation", "undercover", "court"]):
        for region, responses in regions.items():
            rows += ratings(f"C-{number:02d}", domain, responses, 5, 1 + number, region=region)
    return make_frame(rows)


def boxes(build, engine_class, monkeypatch):
    """Where each Axes of the chart ends, laid out by `engine_class`, and
    where its title ends (in figure coordinates)."""
    monkeypatch.setattr(chart_style, "Layout", engine_class)
    figure = build()
    charts.render(figure, "png")
    found = [axes.get_position().bounds for axes in figure.axes]
    if figure._suptitle is not None:
        title = figure._suptitle.get_window_extent(figure.canvas.get_renderer())
        found.append(title.transformed(figure.transFigure.inverted()).bounds)
    return found


def passes(monkeypatch):
    """How many times the layout measured the figures' decorations."""
    counted = []
    original = chart_layout.constrained.make_layout_margins

    def counting(*args, **kwargs):
        counted.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(chart_layout.constrained, "make_layout_margins", counting)
    return counted


def charts_of(frame):
    competencies = gaps.competency_gaps(frame, min_n=3)
    submitted = [datetime.datetime(2026, 3, day, tzinfo=datetime.UTC) for day in (2, 5, 9, 20)]
    return {
        "gaps": lambda: charts.gap_bars(competencies, min_n=3),
        "many gaps": lambda: charts.gap_bars(many_competencies(15)),
        "quadrant": lambda: charts.quadrant_plot(competencies, min_n=3),
        "response rate": lambda: charts.response_rate(submitted, 10),
        "heatmap": lambda: charts.heatmap(gaps.domain_gaps(frame, by="region", min_n=3), min_n=3),
        "no data": lambda: charts.gap_bars(competencies.iloc[0:0]),
    }


@pytest.mark.parametrize(
    "name", ["gaps", "many gaps", "quadrant", "heatmap", "response rate", "no data"]
)
def test_a_chart_ends_where_matplotlibs_own_layout_puts_it_in_one_pass(frame, monkeypatch, name):
    build = charts_of(frame)[name]
    stock = boxes(build, ConstrainedLayoutEngine, monkeypatch)
    counted = passes(monkeypatch)

    ours = boxes(build, chart_layout.Layout, monkeypatch)

    assert len(counted) == 1  # Matplotlib's own measures twice
    assert np.allclose(ours, stock, atol=NEAR)


def test_a_figure_with_a_colorbar_of_its_own_gets_both_passes(monkeypatch):
    def build():
        figure = chart_style.new_figure((6, 4))
        axes = figure.add_subplot()
        image = axes.imshow(np.arange(12.0).reshape(3, 4))
        figure.colorbar(image, ax=axes, label="Mean gap")
        return figure

    stock = boxes(build, ConstrainedLayoutEngine, monkeypatch)
    counted = passes(monkeypatch)

    ours = boxes(build, chart_layout.Layout, monkeypatch)

    assert len(counted) == 2
    assert ours == stock


def test_the_heatmaps_colorbar_its_numbers_and_label_are_inside_the_picture(frame):
    figure = charts.heatmap(gaps.domain_gaps(frame, by="region", min_n=3), min_n=3)
    charts.render(figure, "png")
    renderer = figure.canvas.get_renderer()
    (colorbar,) = figure.axes[0].child_axes

    box = colorbar.get_tightbbox(renderer)
    assert colorbar.get_ylabel() == "Mean gap (importance − capability)"
    assert figure.bbox.x0 < box.x0 and box.x1 < figure.bbox.x1
    assert box.x0 > figure.axes[0].get_window_extent(renderer).x1  # beside the cells


def test_ticks_that_move_with_the_first_pass_get_the_second(monkeypatch):
    """Long labels on the left narrow the plot, so its x axis gets fewer
    ticks than it had before the layout: the decorations changed, and only
    a second pass measures them as drawn."""

    def build():
        figure = chart_style.new_figure((4, 3))
        figure.suptitle("Largest training gaps")
        axes = figure.add_subplot()
        axes.barh([0, 1], [3.3, 17.9])
        axes.set_yticks([0, 1], ["a label long enough to take half the width", "b"])
        return figure

    before = build()
    before_ticks = list(before.axes[0].xaxis.get_majorticklocs())
    charts.render(before, "png")
    assert list(before.axes[0].xaxis.get_majorticklocs()) != before_ticks
    counted = passes(monkeypatch)

    stock = boxes(build, ConstrainedLayoutEngine, monkeypatch)
    counted.clear()
    ours = boxes(build, chart_layout.Layout, monkeypatch)

    assert len(counted) == 3  # the first pass, then Matplotlib's two
    assert np.allclose(ours, stock, atol=1e-9)
    title = ours[-1]  # left, bottom, width, height in the figure
    assert 0 < title[1] and title[1] + title[3] < 1  # not cut off at the top
