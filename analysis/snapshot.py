"""Each campaign's submitted answers as a columnar frame, keyed by the
campaign's data stamp and brought up to date incrementally: when a response
is submitted, reopened or submitted again, only its answers are read again,
not the campaign's million; when an agency, country or region is edited (it
may have moved any row to another group), all of them are. A filter then
slices the frame in memory.

The frame is kept in this process's memory (at most TNA_SNAPSHOT_CAMPAIGNS
campaigns, the most recently read) and, when TNA_SNAPSHOT_DIR is set, as a
Parquet file beside a note of its stamp and responses (written by a thread
of its own, after the request), so that a new process (another worker, a
restart) reads it in a fraction of the time the database takes, then
brings it up to date. The stamp comes from the database, so no
server serves answers another has changed. The files hold every agency's
answers: keep the folder as you keep the database."""

import hashlib
import json
import logging
import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings

from analysis import selectors

logger = logging.getLogger(__name__)

_LOCK = threading.Lock()
_SNAPSHOTS = OrderedDict()  # campaign pk → Snapshot


@dataclass(frozen=True)
class Snapshot:
    stamp: str
    responses: dict  # response id → updated_at (ISO text), as read
    frame: pd.DataFrame


def submitted_frame(campaign, stamp):
    """answers_frame([campaign]) of the submitted responses as of `stamp`
    (analysis.results.data_stamp). Callers only read the frame."""
    with _LOCK:
        snapshot = _SNAPSHOTS.get(campaign.pk)
        if snapshot is not None and snapshot.stamp == stamp:
            _SNAPSHOTS.move_to_end(campaign.pk)
            return snapshot.frame
    snapshot = snapshot or _from_disk(campaign)
    if snapshot is not None and snapshot.stamp == stamp:
        _keep(campaign, snapshot)
        return snapshot.frame
    if snapshot is not None and _reference(snapshot.stamp) != _reference(stamp):
        snapshot = None  # an agency, country or region changed: every row may have
    current = {pk: str(at) for pk, at in selectors.submitted_versions(campaign).items()}
    if snapshot is None:
        frame = selectors.answers_frame([campaign])
    else:
        frame = _updated(campaign, snapshot, current)
    snapshot = Snapshot(stamp, current, frame)
    _keep(campaign, snapshot)
    _to_disk(campaign, snapshot)
    return frame


def _reference(stamp):
    """The stamp's part for the agencies, countries and regions."""
    return stamp.partition("|")[2]


def _keep(campaign, snapshot):
    with _LOCK:
        _SNAPSHOTS[campaign.pk] = snapshot
        _SNAPSHOTS.move_to_end(campaign.pk)
        while len(_SNAPSHOTS) > getattr(settings, "TNA_SNAPSHOT_CAMPAIGNS", 3):
            _SNAPSHOTS.popitem(last=False)


def _updated(campaign, snapshot, current):
    """The snapshot's frame without the responses no longer submitted or
    changed since, with the changed and new ones read again."""
    changed = [pk for pk, at in current.items() if snapshot.responses.get(pk) != at]
    stale = set(changed) | (set(snapshot.responses) - set(current))
    frame = snapshot.frame
    keep = ~frame["response"].isin(list(stale)).to_numpy()
    fresh = selectors.answers_frame([campaign], responses=changed) if changed else frame.iloc[:0]
    return pd.DataFrame({name: _joined(frame[name], keep, fresh[name]) for name in frame.columns})


def _joined(column, keep, more):
    """column[keep] followed by `more`, copied once. Categoricals stay
    categorical: the codes of `more` are translated to the column's
    categories (new ones added at the end), so the million codes kept are
    only sliced, never looked up again."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return pd.concat([column[keep], more], ignore_index=True)
    first, second = column.array, pd.Categorical(more)
    categories = first.categories
    new = second.categories.difference(categories, sort=False)
    if len(new):
        categories = categories.append(new)
    translate = categories.get_indexer(second.categories)
    codes = np.concatenate(
        [
            first.codes[keep].astype(np.int64),
            np.where(second.codes >= 0, translate[second.codes], -1),
        ]
    )
    dtype = pd.CategoricalDtype(categories, ordered=first.ordered)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype))


def _paths(campaign):
    folder = getattr(settings, "TNA_SNAPSHOT_DIR", None)
    if not folder:
        return None
    # The database too: two databases (a scratch one, tests) never share a file.
    database = hashlib.sha256(str(settings.DATABASES["default"]["NAME"]).encode()).hexdigest()
    base = Path(folder) / f"campaign-{campaign.pk}-{database[:12]}"
    return base.with_suffix(".parquet"), base.with_suffix(".json")


def _from_disk(campaign):
    paths = _paths(campaign)
    if paths is None or not paths[1].exists():
        return None
    try:
        note = json.loads(paths[1].read_text())
        frame = pd.read_parquet(paths[0])
    except (OSError, ValueError):
        return None  # a half-written or damaged file: read the database instead
    if note.get("rows") != len(frame):
        return None
    responses = {int(pk): at for pk, at in note["responses"].items()}
    return Snapshot(note["stamp"], responses, frame)


def _to_disk(campaign, snapshot):
    """Written by a thread of its own, so that the request that brought the
    snapshot up to date does not wait for it: only the newest snapshot of a
    campaign still waiting is written."""
    paths = _paths(campaign)
    if paths is None:
        return
    with _LOCK:
        waiting = paths in _UNWRITTEN
        _UNWRITTEN[paths] = snapshot
    if not waiting:
        _writer().submit(_write_waiting, paths)


_UNWRITTEN = {}  # (parquet path, note path) → the newest Snapshot to write there
_WRITER = None  # (process id, executor): a forked worker starts its own


def _writer():
    global _WRITER
    with _LOCK:
        if _WRITER is None or _WRITER[0] != os.getpid():
            _WRITER = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="tna-snapshot"))
        return _WRITER[1]


def _write_waiting(paths):
    with _LOCK:
        snapshot = _UNWRITTEN.pop(paths)
    try:
        _write(paths, snapshot)
    except OSError:
        # The snapshot in memory is intact; the next process reads the database.
        logger.exception("could not write the snapshot %s", paths[0])


def _write(paths, snapshot):
    """Written under temporary names, then renamed: a reader sees the old
    pair or the new one. The note goes last and names the rows it expects."""
    parquet, note = paths
    parquet.parent.mkdir(parents=True, exist_ok=True)
    suffix = f".{os.getpid()}.{threading.get_ident()}.tmp"
    snapshot.frame.to_parquet(str(parquet) + suffix, index=False)
    os.replace(str(parquet) + suffix, parquet)
    content = {
        "stamp": snapshot.stamp,
        "rows": len(snapshot.frame),
        "responses": {str(pk): at for pk, at in snapshot.responses.items()},
    }
    Path(str(note) + suffix).write_text(json.dumps(content))
    os.replace(str(note) + suffix, note)


def flush():
    """Wait until every snapshot handed to the writer is on disk."""
    with _LOCK:
        writer = _WRITER[1] if _WRITER and _WRITER[0] == os.getpid() else None
    if writer is not None:
        writer.submit(lambda: None).result()  # one thread: it runs after the writes


def forget(*, files=False):
    """Drop every snapshot kept in memory (and, with `files`, on disk)."""
    flush()
    with _LOCK:
        _SNAPSHOTS.clear()
    folder = getattr(settings, "TNA_SNAPSHOT_DIR", None)
    if files and folder and Path(folder).is_dir():
        for path in Path(folder).glob("campaign-*"):
            path.unlink(missing_ok=True)
