"""An Agg canvas that remembers text from one chart to the next.

Matplotlib's Agg renderer lays out and rasterises every string it draws, and
forgets it with the figure: most of a dashboard chart's drawing time goes to
text (titles, tick labels, legends, notes), much of it the same on every
chart. `Canvas` draws exactly the same pixels as `FigureCanvasAgg`, but keeps,
per thread, what text costs: which font files a font property resolves to,
each string's metrics and glyph layout, and each glyph's bitmap at each
sub-pixel offset (a glyph drawn a whole number of pixels further along is
the same bitmap, moved). The caches are bounded and thread-local: FreeType
fonts are not safe to share between threads.

It relies on the Agg backend's glyph-by-glyph drawing of Matplotlib 3.11
(`RendererAgg._draw_text_glyphs_and_boxes`); tests/analysis/test_chart_canvas.py
compares its pixels with the stock canvas, so a Matplotlib that draws text
otherwise fails there rather than drawing wrong text."""

import contextlib
import copy
import gc
import itertools
import math
import os
import struct
import threading
import zlib

import numpy as np
from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import RenderMode

# Entries per cache: a glyph bitmap is a few hundred bytes.
LIMIT = 20_000


class _Caches(threading.local):
    def __init__(self):
        self.fonts = {}
        self.metrics = {}
        self.layouts = {}
        self.glyphs = {}
        self.settings = None


_caches = _Caches()


def clear():
    """Forget every remembered font, string and glyph (of this thread)."""
    _caches.__init__()


# FreeType fonts must not cross a fork (Matplotlib forgets its own then too).
os.register_at_fork(after_in_child=clear)


# The blocks that switched the collector off, in every thread (a set: adding
# and discarding are single steps under the interpreter lock).
_pausing = set()


@contextlib.contextmanager
def collector_paused():
    """A block that builds and draws figures with Python's cyclic garbage
    collector paused, their garbage freed at its end while still young.

    A figure is thousands of objects in reference cycles. Collected as usual,
    they outlive the young generations' collections while the chart is
    drawn, reach the oldest and are freed only by a full collection, which
    walks every object of the process: 150-200 ms every dozen charts in a
    server holding a campaign's answers. Paused, they stay in the youngest
    generation, whose collection at the end frees them in a few milliseconds.

    Only the block that switched the collector off switches it on again: a
    block that finds it off (a block around it, another thread's, or the
    caller's choice) leaves it as it is, so a pause never outlasts the chart
    that made it, however threads overlap."""
    token = object() if gc.isenabled() else None
    if token is not None:
        gc.disable()
        _pausing.add(token)
    try:
        yield
    finally:
        if token is not None:
            _pausing.discard(token)
            gc.enable()
        gc.collect(0)


def _resume_in_child():
    # Forked during another thread's block: that thread is not in the child
    # to switch the collector on again.
    if _pausing:
        _pausing.clear()
        gc.enable()


os.register_at_fork(after_in_child=_resume_in_child)


# The settings that decide which font files a font property resolves to
# (generic families such as "sans-serif" are expanded through them) and
# which font object is made of them.
_FONT_SETTINGS = (
    "font.family", "font.style", "font.variant", "font.weight", "font.stretch", "font.size",
    "font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace",
    "font.enable_last_resort", "text.kerning_factor",
)  # fmt: skip


def _font_settings():
    """The values of _FONT_SETTINGS, hashable (lists as tuples).

    Asked for every string measured or drawn, so read without RcParams's
    per-key checks (plain dict lookups), and made hashable again only when
    they changed since the last call of this thread."""
    values = tuple(map(dict.__getitem__, itertools.repeat(rcParams), _FONT_SETTINGS))
    last = _caches.settings
    if last is None or last[0] != values:
        hashable = tuple(tuple(value) if isinstance(value, list) else value for value in values)
        # The lists themselves may be changed in place: compare with copies.
        last = _caches.settings = (copy.deepcopy(values), hashable)
    return last[1]


def _remember(cache, key, value):
    if len(cache) >= LIMIT:
        cache.clear()
    cache[key] = value
    return value


class Renderer(RendererAgg):
    """RendererAgg with the text caches of the module."""

    def _font_files(self, prop):
        """The font files of `prop`, and the settings they were found with:
        a key for what is measured or laid out with them."""
        key = (prop, _font_settings(), len(fontManager.ttflist))  # a font added changes it
        files = _caches.fonts.get(key)
        if files is None:
            found = tuple(fontManager._find_fonts_by_props(prop))
            # A copy in the key: the caller's property may be changed later.
            files = _remember(_caches.fonts, (prop.copy(), *key[1:]), (found, key[1:]))
        return files

    def _prepared_font(self, files, size):
        font = get_font(files[0])
        font.clear()
        font.set_size(size, self.dpi)
        return font

    def _get_font_height_metrics(self, prop):
        """(ascent, descent, line gap) of the font, as Text._get_layout
        computes them from its OS/2 or hhea table when a renderer has no
        such method."""
        files = self._font_files(prop)
        size = prop.get_size_in_points()
        key = ("height", files, size, self.dpi)
        metrics = _caches.metrics.get(key)
        if metrics is None:
            font = get_font(files[0])
            metrics = (None, None, None)
            for table_name, gap, ascent, descent in (
                ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                ("hhea", "lineGap", "ascent", "descent"),
            ):
                table = font.get_sfnt_table(table_name)
                if table is not None:
                    scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * size * self.dpi / 72
                    metrics = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
                    break
            _remember(_caches.metrics, key, metrics)
        return metrics

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        files = self._font_files(prop)
        size = prop.get_size_in_points()
        key = (files, size, self.dpi, s, get_hinting_flag())
        metrics = _caches.metrics.get(key)
        if metrics is None:
            font = self._prepared_font(files, size)
            font.set_text(s, 0.0, flags=key[-1])
            width, height = font.get_width_height()
            metrics = _remember(
                _caches.metrics, key, (width / 64.0, height / 64.0, font.get_descent() / 64.0)
            )
        return metrics

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        files = self._font_files(prop)
        size = prop.get_size_in_points()
        flags = get_hinting_flag()
        key = (files, size, self.dpi, s, flags, features and tuple(features), language)
        items = _caches.layouts.get(key)
        if items is None:
            font = self._prepared_font(files, size)
            laid_out = font._layout(s, flags=flags, features=features, language=language)
            items = _remember(
                _caches.layouts,
                key,
                [(item.ft_object, item.glyph_index, item.x, item.y) for item in laid_out],
            )
        self._draw_glyphs(gc, x, y, angle, size, flags, items)

    def _draw_glyphs(self, gc, x, y, angle, size, flags, items):
        """RendererAgg._draw_text_glyphs_and_boxes for plain text, each
        glyph's bitmap rendered once per sub-pixel offset."""
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        antialiased = gc.get_antialiased()
        glyphs, height = _caches.glyphs, self.height
        for font, glyph_index, dx, dy in items:  # dy is upwards
            # FreeType's 26.6 fixed point, y upwards, as Matplotlib places it.
            fixed_x = round(0x40 * (x + dx * cos - dy * sin))
            fixed_y = round(0x40 * (height - y + dx * sin + dy * cos))
            key = (font.fname, font.face_index, size, self.dpi, glyph_index, angle,
                   fixed_x & 0x3F, fixed_y & 0x3F, flags, antialiased)  # fmt: skip
            bitmap = glyphs.get(key)
            if bitmap is None:
                bitmap = _remember(glyphs, key, self._render(font, size, key, cos, sin))
            buffer, left, top = bitmap
            # A whole number of pixels moves the bitmap, not its pixels.
            self._renderer.draw_text_image(
                buffer,
                left + (fixed_x >> 6),
                int(height) - (top + (fixed_y >> 6)) + buffer.shape[0],
                0,
                gc,
            )

    def _render(self, font, size, key, cos, sin):
        glyph_index, fraction_x, fraction_y, flags, antialiased = key[4], *key[6:]
        font.set_size(size, self.dpi)
        font._set_transform(
            (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int),
            [fraction_x, fraction_y],
        )
        bitmap = font._render_glyph(
            glyph_index, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO
        )
        buffer = np.array(bitmap.buffer)  # a copy: the font reuses its own
        if not antialiased:
            buffer *= 0xFF
        return buffer, bitmap.left, bitmap.top


class Canvas(FigureCanvasAgg):
    """FigureCanvasAgg drawing with `Renderer`."""

    def get_renderer(self):
        width, height = self.get_width_height(physical=True)
        key = width, height, self.figure.dpi
        if self._lastKey != key:
            self.renderer = Renderer(width, height, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def png(pixels, dpi):
    """RGBA pixels (height x width x 4 bytes, as Canvas.buffer_rgba gives
    them) as PNG bytes with their resolution, rows unfiltered and deflated at
    zlib's fastest level.

    Pillow writes the same picture, but spends two thirds of its time
    choosing a filter for each row, which makes charts of flat colours no
    smaller (92 kB either way on the dashboard's): 13 -> 4.5 ms a chart."""
    height, width, _ = pixels.shape
    rows = np.empty((height, width * 4 + 1), np.uint8)
    rows[:, 0] = 0  # filter type: none
    rows[:, 1:] = pixels.reshape(height, width * 4)
    per_metre = round(dpi / 0.0254)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
            _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            _chunk(b"IDAT", zlib.compress(rows, 1)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind, data):
    crc = zlib.crc32(data, zlib.crc32(kind))  # over the type and the data
    return b"".join((struct.pack(">I", len(data)), kind, data, struct.pack(">I", crc)))
