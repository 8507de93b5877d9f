"""The dashboard's charts, rendered once and then served from the cache (the
shared Redis cache when several servers run): keyed like every result by the
campaign's data stamp and release, the filters, the reader's forced country
and the language (analysis.results.cached), and by name and format. The
response-rate chart counts invitations too, so their stamp is in its key."""

from analysis import charts, results, selectors


def dashboard_chart(campaign, filters, name, fmt, *, exact, forced_country=None):
    """The chart's bytes (PNG or SVG) as the chart view serves them."""
    frames = results.Frames(campaign, filters, exact)
    key = f"chart:{name}:{fmt}:{forced_country or ''}"
    if name == "response-rate":
        key += ":" + selectors.invitations_stamp(campaign)

    def compute():
        # The response-rate chart counts agencies, not answers: no gap table
        # (for the whole campaign, since it ignores the filters) is computed
        # for it.
        rate = name == "response-rate"
        overview = None if rate else results.overview(campaign, filters, frames, exact=exact)
        labels = None if rate else selectors.question_labels(campaign.questionnaire)
        submissions = selectors.submissions(campaign, forced_country) if rate else None
        return charts.draw(
            lambda: charts.dashboard_chart(
                name,
                overview,
                labels=labels,
                min_n=results.min_cell_size(),
                submissions=submissions,
            ),
            fmt,
        )

    return results.cached(campaign, key, filters, compute, frames.version())
