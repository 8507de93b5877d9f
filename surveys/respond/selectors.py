"""Reads of one response."""

from surveys.models import Answer


def response_answers(response):
    """Question code → stored text, for one response, in one query."""
    if response is None or response.pk is None:
        return {}
    return dict(Answer.objects.filter(response=response).values_list("question__code", "value"))
