"""Disclosure control for the roles that see aggregates only (trainers).

The threat (README, "Disclosure control"): someone who may request every
filter combination and every breakdown, and subtract one result from
another, must not learn anything about a group of fewer than min_n
respondents. Suppressing small cells table by table does not stop that:
Europe = total − Africa − Americas − Asia.

The rule used here makes differencing useless. The respondents are split
once per release into **blocks** of at least min_n each (`make_blocks`), and
a group's results are published only when the group is a union of whole
blocks. Whatever an attacker adds and subtracts, published sums only ever
combine whole blocks, so the smallest group they can isolate has min_n
respondents. An item (a competency, a domain, a legal-power question) is
also hidden in any group holding a block where between 1 and min_n − 1 of
the block's respondents answered it, since otherwise those few answers could
be isolated the same way.

Blocks follow a hierarchy (region, then kind of agency, then role, then
country): a level's groups of at least min_n become blocks of their own (and
are split further), the smaller ones are pooled into one block, and a pool
still below min_n takes in the smallest group beside it. So a region, and a
kind of agency within a region, are published whenever they are big enough,
while a group too small to stand alone is hidden together with enough others
that no subtraction gives it away.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import ngettext

LEVELS = ("region", "agency_kind", "role", "country")


def note(min_n):
    """What a reader is told when the selection they asked for is hidden."""
    return ngettext(
        "Results for this selection are hidden: together with other views they would single "
        "out fewer than %(count)d respondent.",
        "Results for this selection are hidden: together with other views they would single "
        "out fewer than %(count)d respondents.",
        min_n,
    ) % {"count": min_n}


def make_blocks(respondents: pd.DataFrame, min_n: int, levels=LEVELS) -> pd.Series:
    """Block number per response (index: response) for a frame with one row
    per respondent and the `levels` columns."""
    block_of = {}

    def split(group, depth):
        if depth == len(levels):
            parts, pooled = [], group
        else:
            parts = [part for _, part in group.groupby(levels[depth], observed=True, sort=True)]
            big = [part for part in parts if len(part) >= min_n]
            small = [part for part in parts if len(part) < min_n]
            pooled = pd.concat(small) if small else group.iloc[:0]
            if 0 < len(pooled) < min_n:
                if not big:
                    parts, pooled = [], group
                else:
                    smallest = min(
                        big, key=lambda part: (len(part), str(part[levels[depth]].iloc[0]))
                    )
                    big = [part for part in big if part is not smallest]
                    pooled = pd.concat([pooled, smallest])
            parts = big
        for part in parts:
            split(part, depth + 1)
        if len(pooled):
            number = len(set(block_of.values()))
            for response in pooled["response"]:
                block_of[response] = number

    if len(respondents):
        split(respondents.drop_duplicates("response"), 0)
    return pd.Series(block_of, dtype="int64").rename_axis("response")


@dataclass
class Blocks:
    """The blocks of one release, and for each kind of item the (block,
    item) pairs answered by between 1 and min_n − 1 of the block."""

    block_of: pd.Series
    min_n: int
    thin: dict = field(default_factory=dict)

    @property
    def sizes(self) -> pd.Series:
        return self.block_of.value_counts()

    def publishable(self, responses) -> bool:
        """Whether a group of respondents is a union of whole blocks (and so
        holds none, or at least min_n)."""
        blocks = self.block_of.reindex(pd.Index(pd.unique(np.asarray(responses))))
        if blocks.isna().any():
            return False
        counts = blocks.value_counts()
        return bool((counts == self.sizes.reindex(counts.index)).all())

    def mark_thin(self, kind: str, answered: pd.DataFrame, item: str) -> None:
        """Record, for items of `kind`, which blocks have 1 to min_n − 1 of
        their respondents in `answered` (columns response and `item`)."""
        rows = answered[["response", item]].drop_duplicates()
        rows = rows.assign(block=rows["response"].map(self.block_of)).dropna(subset=["block"])
        counts = rows.groupby(["block", item], observed=True).size()
        thin = counts[(counts > 0) & (counts < self.min_n)]
        self.thin[kind] = {(int(block), str(code)) for block, code in thin.index}

    def hidden(self, table, respondents, *, by=None, item, kind=None) -> pd.Series:
        """Which rows of a table to hide: those whose group is not
        publishable, or whose item is thin in one of the group's blocks.
        `respondents`: the filtered frame the table comes from (its response
        and `by` columns)."""
        hidden = pd.Series(False, index=table.index)
        if table.empty:
            return hidden
        groups = respondents.drop_duplicates("response")
        thin = self.thin.get(kind or item, set())
        for value, rows in table.groupby(by or (lambda _: 0), observed=True, sort=False):
            members = groups if not by else groups[groups[by].astype(str) == str(value)]
            if not self.publishable(members["response"]):
                hidden[rows.index] = True
                continue
            blocks = set(self.block_of.reindex(members["response"]).astype(int))
            hidden[rows.index] = [
                any((block, str(code)) in thin for block in blocks) for code in rows[item]
            ]
        return hidden

    def hide(self, respondents, *, by=None, item, kind=None):
        """`hidden` bound to one table's respondents and columns, as the
        `hide` argument of analysis.gaps takes it."""
        return lambda table: self.hidden(table, respondents, by=by, item=item, kind=kind)
