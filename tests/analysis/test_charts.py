import datetime
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from analysis import charts, gaps

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
UTC = datetime.UTC


def make_frame(ratings):
    """A long answers frame, as analysis.selectors.answers_frame gives, from
    (response, region, competency, domain, importance, capability) tuples."""
    rows = [
        {
            "response": response,
            "region": region,
            "competency": competency,
            "domain": domain,
            "question": f"{competency}-{dimension}",
            "dimension": dimension,
            "number": float(number),
            "value": str(number),
        }
        for response, region, competency, domain, importance, capability in ratings
        for dimension, number in (("importance", importance), ("capability", capability))
    ]
    frame = pd.DataFrame(rows)
    for column in ("region", "competency", "domain", "question", "dimension"):
        frame[column] = frame[column].astype("category")
    return frame


def ratings(competency, domain, responses, importance, capability, region="Africa"):
    # Importance alternates by one point so that intervals have a width.
    return [
        (response, region, competency, domain, importance - response % 2, capability)
        for response in responses
    ]


@pytest.fixture(scope="module")
def frame():
    africa, europe = range(0, 6), range(6, 9)
    return make_frame(
        ratings("DF-01", "forensics", africa, 5, 1)
        + ratings("DF-01", "forensics", europe, 5, 2, region="Europe")
        + ratings("DF-02", "forensics", africa, 4, 3)
        + ratings("MLA-01", "cooperation", africa, 4, 4)
        + ratings("MLA-01", "cooperation", europe, 3, 3, region="Europe")
        + ratings("UC-09", "undercover", range(0, 3), 5, 1)
    )


@pytest.fixture(scope="module")
def competencies(frame):
    return gaps.competency_gaps(frame)


@pytest.fixture(scope="module")
def regions(frame):
    return gaps.domain_gaps(frame, by="region")


def svg_texts(figure):
    """The <text> elements of the figure's SVG, in drawing order."""
    root = ET.fromstring(charts.render(figure, "svg"))
    assert root.tag == f"{SVG}svg"
    return list(root.iter(f"{SVG}text"))


def svg_text(figure):
    # Spaces rejoin the lines of wrapped notes.
    return " ".join("".join(text.itertext()) for text in svg_texts(figure))


def png_size(png):
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def many_competencies(count):
    pairs = pd.DataFrame(
        [
            {"competency": f"K-{k:02d}", "importance": 5, "capability": 1 + (k + i) % 4}
            for k in range(count)
            for i in range(6)
        ]
    )
    table = gaps.gap_statistics(pairs, "competency")
    table.insert(1, "domain", "forensics")
    return table


def test_render_gives_a_png_of_the_figure_size_at_100_dpi(regions):
    png = charts.render(charts.heatmap(regions), "png")

    assert png_size(png) == (900, 600)


def test_gap_bars_grow_taller_with_more_bars():
    short = charts.gap_bars(many_competencies(2))
    tall = charts.gap_bars(many_competencies(20), top=20)

    width, height = tall.get_size_inches()
    assert png_size(charts.render(tall, "png")) == (round(width * 100), round(height * 100))
    assert height > short.get_size_inches()[1]


def test_gap_bars_show_the_title_the_codes_and_their_mwds(competencies):
    text = svg_text(charts.gap_bars(competencies, title="Where training is needed"))

    assert "Where training is needed" in text
    for code in ("DF-01", "DF-02", "MLA-01"):
        assert code in text
    mwds = competencies.set_index("competency").loc["DF-01", "mwds"]
    assert f"MWDS {mwds:.1f}" in text
    assert "Groups with fewer than 5 respondents are not shown (n only)" in text


def test_each_mwds_sits_four_points_right_of_its_bars_end(competencies):
    figure = charts.gap_bars(competencies)
    charts.render(figure, "png")
    renderer = figure.canvas.get_renderer()
    axes = figure.axes[0]
    bars = {round(bar.get_y() + bar.get_height() / 2): bar for bar in axes.patches}

    labels = [text for text in axes.texts if text.get_text().startswith("MWDS")]
    assert len(labels) == len(bars)
    for label in labels:
        x, y = label.get_position()
        bar = bars[round(y)]
        assert x >= bar.get_x() + bar.get_width() or bar.get_width() < 0
        anchor = axes.transData.transform((x, y))
        box = label.get_window_extent(renderer)
        assert box.x0 - anchor[0] == pytest.approx(4 * figure.dpi / 72, abs=1)
        assert (box.y0 + box.y1) / 2 == pytest.approx(anchor[1], abs=1)


def test_gap_bars_leave_out_suppressed_competencies(competencies):
    text = svg_text(charts.gap_bars(competencies))

    assert "UC-09" not in text
    assert "1 competency hidden" in text


def test_gap_bars_put_rank_one_at_the_top(competencies):
    texts = svg_texts(charts.gap_bars(competencies))

    heights = {"".join(text.itertext()): float(text.get("y", "nan")) for text in texts}

    # SVG y grows downwards.
    assert heights["DF-01"] < heights["DF-02"] < heights["MLA-01"]


def test_gap_bars_show_only_the_top_competencies(competencies):
    text = svg_text(charts.gap_bars(competencies, top=2))

    assert "DF-01" in text and "DF-02" in text
    assert "MLA-01" not in text


def test_gap_bars_shorten_long_statements(competencies):
    statement = "Acquire and verify forensic images of seized devices without altering them"

    text = svg_text(charts.gap_bars(competencies, labels={"DF-01": statement}))

    assert "DF-01  Acquire and verify forensic images of seized…" in text
    assert statement not in text


def test_heatmap_shows_small_cells_as_counts_only(frame):
    table = gaps.domain_gaps(frame, by="region")
    # Europe has 3 respondents in each domain, Africa 3 in undercover. Since
    # Africa is the only other region, its cells are hidden too (secondary
    # suppression), or the overall result would give Europe's away.
    text = svg_text(charts.heatmap(table))

    assert text.count("n<5") == 5
    assert "5 cells hidden" in text


def test_heatmap_writes_the_values_of_cells_shown(frame):
    table = gaps.domain_gaps(frame, by="region", min_n=3)

    text = svg_text(charts.heatmap(table, min_n=3))

    africa = table[(table["region"] == "Africa") & (table["domain"] == "forensics")]
    assert f"{africa['gap_mean'].iloc[0]:.1f}" in text
    assert "n<3" not in text
    assert "Mean gap (importance − capability)" in text


def test_heatmap_separates_its_cells_with_white_borders(frame):
    table = gaps.domain_gaps(frame, by="region", min_n=3)
    figure = charts.heatmap(table, min_n=3)
    charts.render(figure, "png")
    pixels = np.asarray(figure.canvas.buffer_rgba())
    axes = figure.axes[0]

    def colour(x, y):
        column, row = axes.transData.transform((x, y))
        return tuple(pixels[round(pixels.shape[0] - row), round(column), :3])

    white = (255, 255, 255)
    # Between two columns, between two rows, and inside a cell.
    assert colour(0.5, 0) == white
    assert colour(0, 0.5) == white
    assert colour(0.3, 0.3) != white
    assert colour(0.3, 0.3) == colour(-0.3, -0.3)


def test_heatmap_names_domains_with_their_labels(regions):
    text = svg_text(charts.heatmap(regions, domain_labels={"forensics": "Digital forensics"}))

    assert "Digital forensics" in text
    assert "Mean training gap by region and domain" in text


def test_quadrant_plot_numbers_the_top_ten_and_states_its_convention(competencies):
    text = svg_text(charts.quadrant_plot(competencies))

    for name, *_ in charts.QUADRANT_CORNERS:
        assert name.split("\n")[0] in text
    shown = competencies[~competencies["suppressed"]].sort_values("rank")
    first = shown.iloc[0]["competency"]
    assert f"1. {first}" in text
    assert "UC-09" not in text
    assert "cross-hairs at the" in text and "midpoint (3)" in text
    for name in ("Low priority", "Possible overkill"):
        assert name not in text


def test_quadrant_plot_crosses_at_the_scales_midpoint_with_the_diagonal(competencies):
    figure = charts.quadrant_plot(competencies)

    lines = figure.axes[0].lines
    dashed = [line for line in lines if line.get_linestyle() == "--"]
    vertical, horizontal = dashed
    assert vertical.get_xdata()[0] == pytest.approx(3.0)
    assert horizontal.get_ydata()[0] == pytest.approx(3.0)
    diagonal = [line for line in lines if line.get_linestyle() == "-"]
    assert list(diagonal[0].get_xdata()) == list(diagonal[0].get_ydata()) == [1, 5]


def test_quadrant_plot_labels_do_not_overlap():
    # Ten top competencies piled up on almost the same point.
    table = pd.DataFrame(
        {
            "competency": [f"DF-{i:02d}" for i in range(1, 13)],
            "domain": ["forensics"] * 12,
            "n": [9] * 12,
            "importance_mean": [4.0 + 0.01 * i for i in range(12)],
            "capability_mean": [2.0 + 0.01 * i for i in range(12)],
            "gap_mean": [2.0] * 12,
            "mwds": [8.0 - 0.1 * i for i in range(12)],
            "rank": pd.array(list(range(1, 13)), dtype="Int64"),
            "suppressed": [False] * 12,
        }
    )
    figure = charts.quadrant_plot(table)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    boxes = [  # each number, without its leader line
        Text.get_window_extent(text, renderer)
        for text in figure.axes[0].texts
        if text.get_text().isdigit()
    ]
    assert len(boxes) == 10
    for index, box in enumerate(boxes):
        for other in boxes[index + 1 :]:
            assert not box.overlaps(other)


def test_quadrant_plot_is_laid_out_before_its_labels_are_placed(competencies):
    figure = charts.quadrant_plot(competencies)
    charts.render(figure, "png")
    renderer = figure.canvas.get_renderer()
    plot, key = figure.axes
    legend = figure.legends[0].get_window_extent(renderer)

    # The domain legend sits outside the plot and its key, the title above
    # them and the note below, all inside the picture.
    assert not legend.overlaps(plot.get_tightbbox(renderer))
    notes = [t.get_window_extent(renderer) for t in figure.texts if t is not figure._suptitle]
    assert notes
    for note in notes:
        assert note.y1 <= plot.get_tightbbox(renderer).y0
        assert figure.bbox.contains(note.x0 + 1, note.y0 + 1)
    assert not legend.overlaps(key.get_position().transformed(figure.transFigure))
    title = figure._suptitle.get_window_extent(renderer)
    assert title.y0 >= plot.get_tightbbox(renderer).y1
    assert figure.bbox.contains(legend.x1 - 1, legend.y0 + 1)
    # Each number is placed beside its point as the picture shows it.
    numbers = [text for text in plot.texts if text.get_text().isdigit()]
    assert numbers
    for number in numbers:
        point = plot.transData.transform(number.xy)
        box = Text.get_window_extent(number, renderer)
        assert abs(box.x0 + box.width / 2 - point[0]) < 80
        assert abs(box.y0 + box.height / 2 - point[1]) < 80
        # Its leader line runs from the point to the box, under the points.
        centre = plot.transData.inverted().transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
        leaders = [
            line
            for line in plot.lines
            if tuple(line.get_xydata()[0]) == pytest.approx(tuple(number.xy))
            and tuple(line.get_xydata()[1]) == pytest.approx(tuple(centre), abs=0.02)
        ]
        assert len(leaders) == 1
        assert leaders[0].get_zorder() < min(c.get_zorder() for c in plot.collections)


def test_response_rate_shows_the_share_of_invited_agencies_that_submitted():
    submitted_at = [
        datetime.datetime(2026, 3, 2, 9, tzinfo=UTC),
        datetime.datetime(2026, 3, 5, 14, tzinfo=UTC),
        datetime.datetime(2026, 3, 9, 8, tzinfo=UTC),
        None,
    ]

    text = svg_text(charts.response_rate(submitted_at, invited=4))

    assert "Response rate over time" in text
    assert "75% (3 of 4)" in text
    assert "n = 3 of 4 invited agencies have submitted." in text


def test_response_rate_draws_a_line_per_group():
    submitted_at = pd.Series(pd.to_datetime(["2026-03-02", "2026-03-04", "2026-03-06"], utc=True))
    region = pd.Series(["Africa", "Europe", "Africa"])

    text = svg_text(
        charts.response_rate(submitted_at, 10, by=region, invited_by={"Africa": 4, "Europe": 6})
    )

    assert "All agencies: 30% (3 of 10)" in text
    assert "Africa: 50% (2 of 4)" in text
    assert "Europe: 17% (1 of 6)" in text


def test_response_rate_needs_the_invited_count_of_each_group():
    with pytest.raises(ValueError, match="invited_by"):
        charts.response_rate([datetime.datetime(2026, 3, 2, tzinfo=UTC)], 3, by=["Africa"])


@pytest.mark.parametrize(
    "draw",
    [
        lambda table: charts.gap_bars(table),
        lambda table: charts.heatmap(table),
        lambda table: charts.quadrant_plot(table),
        lambda table: charts.response_rate([], invited=12),
    ],
    ids=["gap_bars", "heatmap", "quadrant_plot", "response_rate"],
)
def test_each_chart_says_so_when_there_is_no_data(draw, frame):
    empty = gaps.competency_gaps(frame.iloc[:0])

    text = svg_text(draw(empty))

    assert "No data to show yet" in text


@pytest.mark.parametrize("draw", [charts.gap_bars, charts.quadrant_plot])
def test_each_chart_shows_no_means_when_every_group_is_small(draw, competencies):
    text = svg_text(draw(competencies, min_n=10))

    assert "No data to show yet" in text
    assert "Groups with fewer than 10 respondents are not shown (n only)" in text
    assert "DF-01" not in text


def test_heatmap_shows_only_counts_when_every_cell_is_small(regions):
    text = svg_text(charts.heatmap(regions, min_n=10))

    assert text.count("n<10") == len(regions)


def test_render_rejects_other_formats(regions):
    with pytest.raises(ValueError, match="gif"):
        charts.render(charts.heatmap(regions), "gif")


def test_render_gives_the_same_svg_for_the_same_input(competencies):
    first = charts.render(charts.gap_bars(competencies), "svg")
    second = charts.render(charts.gap_bars(competencies), "svg")

    assert first == second
    assert b"<dc:date>" not in first
