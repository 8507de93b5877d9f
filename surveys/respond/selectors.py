"""Reads of one response."""

from __future__ import annotations

from typing import TYPE_CHECKING

from surveys.models import Answer

if TYPE_CHECKING:
    from surveys.models import Response


def response_answers(response: Response | None) -> dict[str, str]:
    """Question code → stored text, for one response, in one query."""
    if response is None or response.pk is None:
        return {}
    return dict(Answer.objects.filter(response=response).values_list("question__code", "value"))
