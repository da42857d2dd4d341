"""The pools of a team service on the administrator's service form: rows ``pool-<n>-…``
(what its workers are, in three languages; its members; a box that takes the row out),
read with WTForms' ``FieldList``. "More pools" adds a row without JavaScript, up to
``MAX_POOLS``; a pool without workers, or a worker in two pools, is refused.

A row taken out is dropped before anything is checked, and the rows left are numbered
again from 0 in the page shown back, with their problems under the same numbers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from scheduler.models import Professional, Service, ServicePool
from scheduler.staff.forms import LANGS, MAX_POOLS, ServiceForm, texts_of

DEFAULT_ROWS = 2
_ROW = re.compile(r"^pool-(\d+)-")


@dataclass(frozen=True)
class Pool:
    """A pool as the form gives it: its name by language and its members' ids."""

    name: dict[str, str]
    member_ids: list[int]


def _rows_sent(formdata: Mapping[str, Any]) -> int:
    """How many pool rows the form sent (WTForms reads only the first ``MAX_POOLS``)."""
    return len({m.group(1) for key in formdata if (m := _ROW.match(key))})


def read_pools(form: ServiceForm, formdata: Mapping[str, Any], allowed: set[int]) -> list[Pool]:
    """The pools of the form, the rows taken out left out. Problems go to
    ``form.problems`` under the rows' new numbers, and only for a team service."""
    for key in [k for k in form.problems if k.startswith("pool-")]:
        del form.problems[key]  # checked here, under the numbers the page shows
    kept = [entry.form for entry in form.pool.entries if not entry.form.remove.data]
    pools: list[Pool] = []
    seen: set[int] = set()
    for index, row in enumerate(kept):
        members = f"pool-{index}-members"
        for lang in LANGS:
            if row.name.form[lang].errors:
                form.problems[f"pool-{index}-name-{lang}"] = str(row.name.form[lang].errors[0])
        ids = row.members.ids
        if row.members.unreadable or not set(ids) <= allowed:
            form.problems[members] = _("Choose among the options.")
        elif not ids:
            form.problems[members] = _("Choose at least one worker for this pool.")
        elif seen & set(ids):
            form.problems[members] = _("A worker can be in one pool only.")
        seen.update(ids)
        pools.append(Pool(texts_of(row.name), ids))
    if not form.team.data:
        for key in [k for k in form.problems if k.startswith("pool-")]:
            del form.problems[key]
        return pools
    if _rows_sent(formdata) > MAX_POOLS:
        form.problems["team"] = _("A team service has at most %(n)d pools.", n=MAX_POOLS)
    elif not pools:
        form.problems["team"] = _("A team service needs at least one pool.")
    return pools


def pools_shown(
    form: ServiceForm, formdata: MultiDict[str, Any]
) -> tuple[MultiDict[str, Any], int]:
    """The form's values for the page shown back, the pool rows left numbered from 0,
    and how many they are."""
    values: MultiDict[str, Any] = MultiDict(
        [(k, v) for k, v in formdata.items(multi=True) if not _ROW.match(k)]
    )
    kept = [entry.form for entry in form.pool.entries if not entry.form.remove.data]
    for index, row in enumerate(kept):
        put(values, index, texts_of(row.name), [str(v) for v in row.members.data or []])
    return values, len(kept)


def put(values: MultiDict[str, Any], index: int, name: Mapping[str, str], ids: list[Any]) -> None:
    """One pool row's inputs in ``values``."""
    for lang in LANGS:
        values[f"pool-{index}-name-{lang}"] = name.get(lang, "")
    values.setlist(f"pool-{index}-members", list(ids))


def pool_values(service: Service, values: MultiDict[str, Any]) -> int:
    """A saved service's pools as the form's inputs; how many they are."""
    for index, pool in enumerate(service.pools):
        put(values, index, pool.name or {}, [p.id for p in pool.members])
    return len(service.pools)


def rows_to_show(count: int, more: bool) -> int:
    """How many pool rows the page shows: those given and one more when asked; while
    there are none, ``DEFAULT_ROWS`` empty ones; never over ``MAX_POOLS``."""
    return min(max(count + more, 1) if count else DEFAULT_ROWS, MAX_POOLS)


def save_pools(
    service: Service,
    pools: list[tuple[dict[str, str], list[Professional]]] | None,
    visible: set[int],
) -> None:
    """Make ``service`` a team service of these pools, or a service of one worker (None).
    A pool keeps its row (and id) where it stays, and the members this user does not
    administer."""
    if pools is None:
        service.pools = []
        return
    rows = list(service.pools)
    for position, (name, members) in enumerate(pools):
        if position == len(rows):
            rows.append(ServicePool(position=position, name={}))
        kept = [p for p in rows[position].members if p.id not in visible]
        rows[position].members = kept + [p for p in members if p not in kept]
        rows[position].name = name
    service.pools = rows[: len(pools)]
