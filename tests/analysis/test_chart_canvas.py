"""analysis.chart_canvas draws the very pixels of Matplotlib's own Agg
canvas, however its text caches are filled: a chart served from the
remembered glyphs looks like one drawn from scratch."""

import gc
import io
import os
import threading
import weakref

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from analysis import chart_canvas, chart_style, charts  # chart_style: Arabic, Chinese fonts
from analysis.chart_canvas import Canvas


def chart():
    """Text the dashboard draws: rotated tick labels, bold and small
    sizes, several lines, a boxed label, Arabic and Chinese (the fallback
    fonts), text without antialiasing, at fractional positions."""
    figure = Figure(figsize=(6, 4), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    axes.barh([0, 1, 2], [1.2, 2.5, 0.7])
    axes.set_yticks([0, 1, 2], ["DF-01 Seizing devices", "التحليل الجنائي الرقمي", "数字取证"])
    axes.set_xticks([0, 1, 2], ["none", "some", "a great deal"], rotation=30, ha="right")
    axes.set_xlabel("Mean gap, importance − capability (1–5 scale)")
    axes.text(0.3, 1.5, "n<5", bbox={"facecolor": "#dddddd", "pad": 1}, fontsize=9)
    axes.text(1.13, 0.37, "Important,\ncapability low", fontsize=8, rotation=90)
    axes.text(0.61, 2.21, "MWDS 3.4", fontweight="bold", antialiased=False)
    figure.suptitle("Largest training gaps by competency")
    return figure


def pixels(canvas_class):
    canvas = canvas_class(chart())
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_the_canvas_draws_what_matplotlib_draws_first_time_and_from_its_caches():
    chart_canvas.clear()
    stock = pixels(FigureCanvasAgg)

    first = pixels(Canvas)
    again = pixels(Canvas)

    assert (stock != 255).any()  # there is something drawn to compare
    assert np.array_equal(first, stock)
    assert np.array_equal(again, stock)


@pytest.mark.parametrize("limit", [1, 40])
def test_a_full_cache_starts_again_and_draws_the_same(monkeypatch, limit):
    monkeypatch.setattr(chart_canvas, "LIMIT", limit)
    chart_canvas.clear()
    stock = pixels(FigureCanvasAgg)

    for _ in range(2):
        assert np.array_equal(pixels(Canvas), stock)
    caches = chart_canvas._caches
    for cache in (caches.fonts, caches.metrics, caches.layouts, caches.glyphs):
        assert len(cache) <= limit


def test_another_font_setting_is_followed_not_served_from_the_caches():
    """A generic family ("sans-serif") is resolved through the settings: the
    caches must not keep the font it meant before they changed."""
    family = ["sans-serif", *chart_style.FALLBACK_FONTS]
    chart_canvas.clear()
    with matplotlib.rc_context({"font.family": family, "font.sans-serif": ["DejaVu Sans"]}):
        sans = pixels(Canvas)
    with matplotlib.rc_context({"font.family": family, "font.sans-serif": ["DejaVu Serif"]}):
        stock = pixels(FigureCanvasAgg)
        serif = pixels(Canvas)

    assert np.array_equal(serif, stock)
    assert not np.array_equal(serif, sans)


@pytest.fixture
def collector():
    """The garbage collector as the test found it, restored after."""
    was_enabled = gc.isenabled()
    gc.collect()
    yield
    gc.enable() if was_enabled else gc.disable()


def test_a_chart_drawn_is_freed_at_once_not_left_to_a_full_collection(collector):
    drawn = []

    def build():
        figure = chart()
        drawn.append(weakref.ref(figure))
        return figure

    png = charts.draw(build, "png")

    assert png.startswith(b"\x89PNG")
    # The figure's reference cycles are freed by the young generation's
    # collection at the end of the block: nothing to wait for.
    assert drawn[0]() is None
    assert gc.isenabled()


def test_the_collector_is_paused_while_drawing_and_runs_again_after(collector):
    seen = []

    def build(inner=False):
        seen.append(("building", gc.isenabled()))
        if not inner:
            charts.draw(lambda: build(inner=True), "png")
            seen.append(("after the inner chart", gc.isenabled()))
        return chart()

    charts.draw(build, "png")

    assert seen == [("building", False), ("building", False), ("after the inner chart", False)]
    assert gc.isenabled()


def test_the_collector_runs_again_after_a_chart_that_fails(collector):
    def build():
        raise ValueError("no data")

    with pytest.raises(ValueError, match="no data"):
        charts.draw(build, "png")

    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off(collector):
    gc.disable()

    charts.draw(chart, "png")

    assert not gc.isenabled()


def test_a_pause_never_outlasts_the_block_that_made_it(collector):
    # Two threads' charts overlap: the first ends while the second draws.
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def second():
        first_in.wait()
        with chart_canvas.collector_paused():
            second_in.set()
            first_out.wait()
            seen.append(gc.isenabled())

    thread = threading.Thread(target=second)
    thread.start()
    with chart_canvas.collector_paused():
        first_in.set()
        second_in.wait()
    first_out.set()
    thread.join()

    assert seen == [True]  # on again when the block that paused it ended
    assert gc.isenabled()


def test_a_child_forked_during_a_pause_collects(collector):
    with chart_canvas.collector_paused():
        pid = os.fork()
        if pid == 0:  # the child: its collector must run
            os._exit(0 if gc.isenabled() else 1)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0


def test_a_png_holds_the_canvas_pixels_and_their_resolution():
    canvas = Canvas(chart())
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())

    data = chart_canvas.png(pixels, 100)

    with Image.open(io.BytesIO(data)) as image:
        image.load()  # checks every chunk's CRC and the deflated rows
        assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (600, 400))
        assert image.info["dpi"] == pytest.approx((100, 100), abs=0.01)
        assert np.array_equal(np.asarray(image), pixels)
