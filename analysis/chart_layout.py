"""Matplotlib's constrained layout, its second pass run only when needed.

The constrained layout engine measures every Axes' decorations (tick labels,
axis labels, legends, titles), solves for the margins they need and moves the
Axes; then it does all of it a second time, because decorations "change size
after the first re-position (i.e. x/yticklabels get larger/smaller)". On the
dashboard's charts the second pass is a fifth of the drawing time, and it
moves nothing by more than two pixels unless the ticks moved: the tick
labels, titles and legends are text of the same size wherever the Axes are.

`Layout` runs the first pass, then the second only if some axis's ticks
differ from before (a locator that chose other values for the new length),
or if the figure has a colorbar of its own (figure.colorbar(ax=...)), whose
place the first pass gets wrong: the heatmap's colorbar is an inset of its
plot instead, measured with the plot's other decorations.

It uses the private steps of matplotlib._constrained_layout (Matplotlib
3.11) in the order `do_constrained_layout` runs them;
tests/analysis/test_chart_layout.py compares the result with Matplotlib's
own layout, so a Matplotlib that lays out otherwise fails there."""

from matplotlib import _constrained_layout as constrained
from matplotlib.layout_engine import ConstrainedLayoutEngine


def _ticks(figure):
    """Every axis's tick values, insets' (the heatmap's colorbar) too."""
    return [
        list(axis.get_majorticklocs())
        for parent in figure.axes
        for axes in (parent, *parent.child_axes)
        for axis in (axes.xaxis, axes.yaxis)
    ]


def _has_colorbar(figure):
    return any(getattr(axes, "_colorbar", None) is not None for axes in figure.axes)


class Layout(ConstrainedLayoutEngine):
    def execute(self, figure):
        if self._compress or _has_colorbar(figure):
            return super().execute(figure)
        before = _ticks(figure)
        # Matplotlib's own layout where the first pass cannot finish: no
        # grid, or Axes squeezed to nothing (it warns about those).
        if not self._first_pass(figure) or _ticks(figure) != before:
            return super().execute(figure)
        return None

    def _first_pass(self, figure):
        """One pass of constrained.do_constrained_layout (compress off);
        False if it found no grid or Axes collapsed."""
        width, height = figure.get_size_inches()
        pads = {"h_pad": self._params["h_pad"] / height, "w_pad": self._params["w_pad"] / width}
        spaces = {"hspace": self._params["hspace"], "wspace": self._params["wspace"]}
        renderer = figure._get_renderer()
        grids = constrained.make_layoutgrids(figure, None, rect=self._params["rect"])
        if not grids["hasgrids"]:
            return False
        constrained.make_layout_margins(grids, figure, renderer, **pads, **spaces)
        constrained.make_margin_suptitles(grids, figure, renderer, **pads)
        constrained.match_submerged_margins(grids, figure)
        grids[figure].update_variables()
        collapsed = not constrained.check_no_collapsed_axes(grids, figure)
        if not collapsed:
            constrained.reposition_axes(grids, figure, renderer, **pads, **spaces)
        constrained.reset_margins(grids, figure)
        return not collapsed
