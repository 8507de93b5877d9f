"""Each campaign's submitted answers kept in this process's memory as a
columnar frame, keyed by the campaign's data stamp and brought up to date
incrementally: when a response is submitted, reopened or submitted again,
only its answers are read again, not the campaign's million. A filter then
slices the frame in memory.

Every server keeps its own snapshots; the stamp comes from the database, so
none serves answers another server has changed. At most
TNA_SNAPSHOT_CAMPAIGNS campaigns are kept (the most recently read)."""

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.conf import settings
from pandas.api.types import union_categoricals

from analysis import selectors

_LOCK = threading.Lock()
_SNAPSHOTS = OrderedDict()  # campaign pk → Snapshot


@dataclass(frozen=True)
class Snapshot:
    stamp: str
    responses: dict  # response id → updated_at, as read
    frame: pd.DataFrame


def submitted_frame(campaign, stamp):
    """answers_frame([campaign]) of the submitted responses as of `stamp`
    (analysis.results.data_stamp). Callers only read the frame."""
    with _LOCK:
        snapshot = _SNAPSHOTS.get(campaign.pk)
        if snapshot is not None and snapshot.stamp == stamp:
            _SNAPSHOTS.move_to_end(campaign.pk)
            return snapshot.frame
    current = selectors.submitted_versions(campaign)
    if snapshot is None:
        frame = selectors.answers_frame([campaign])
    else:
        frame = _updated(campaign, snapshot, current)
    with _LOCK:
        _SNAPSHOTS[campaign.pk] = Snapshot(stamp, current, frame)
        _SNAPSHOTS.move_to_end(campaign.pk)
        while len(_SNAPSHOTS) > getattr(settings, "TNA_SNAPSHOT_CAMPAIGNS", 3):
            _SNAPSHOTS.popitem(last=False)
    return frame


def _updated(campaign, snapshot, current):
    """The snapshot's frame without the responses no longer submitted or
    changed since, with the changed and new ones read again."""
    changed = [pk for pk, at in current.items() if snapshot.responses.get(pk) != at]
    stale = set(changed) | (set(snapshot.responses) - set(current))
    kept = snapshot.frame
    if stale:
        kept = kept[~kept["response"].isin(list(stale))]
    if not changed:
        return kept.reset_index(drop=True)
    fresh = selectors.answers_frame([campaign], responses=changed)
    return _concat(kept, fresh)


def _concat(first, second):
    """Two answers frames as one, categoricals kept categorical."""
    columns = {}
    for name in first.columns:
        a, b = first[name], second[name]
        if isinstance(a.dtype, pd.CategoricalDtype):
            columns[name] = union_categoricals([a, b], ignore_order=True)
        else:
            columns[name] = np.concatenate([a.to_numpy(), b.to_numpy()])
    return pd.DataFrame(columns)[list(first.columns)]


def forget():
    """Drop every snapshot (tests; a changed questionnaire is a new stamp anyway)."""
    with _LOCK:
        _SNAPSHOTS.clear()
