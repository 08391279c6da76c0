"""The live state of a deck being presented, shared by the projected window and the presenter view.
Part of ``Workspace``.

Table ``live_decks(code, slide, setup, levers, started_at, updated_at)``: one row per deck under way,
keyed by a short ``code`` (``CODE_LENGTH`` characters of ``CODE_ALPHABET``, which has no 0/O, 1/I/L
to misread). ``slide`` is the 1-based position shown; ``setup`` a JSON object of the facilitator's
choices the presenter view needs to draw the same deck (slide order, business model, saved
scenarios shown); ``levers`` the live levers as a JSON object (lever key → value, checked like a
saved scenario's); times are UTC. Each window writes it on every slide or lever change, the other
reads it a few times a second: the last write wins.

This is the state of a room, not of the data: it is not audited and needs no role (anyone who sees
the workshop may present it), a write leaves ``version`` alone, and backups neither hold nor
restore it (``backup.NOT_BACKED_UP``). A deck untouched for ``KEPT_FOR`` is removed when a new one
starts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from b2b_core.i18n import _
from b2b_core.scenarios.levers import Scenario
from b2b_core.store.schema import utc_now

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 4
MAX_JSON_CHARS = 2_000  # of setup and of levers each: a few dozen keys, never a data set
KEPT_FOR = dt.timedelta(hours=24)
_CODE = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


@dataclass(frozen=True)
class LiveDeck:
    """A deck under way: its ``code``, the ``slide`` shown (1-based), the ``setup`` (slide order,
    model, scenarios shown), the live ``levers`` (lever key → value), when it started and when it
    last changed (naive UTC)."""

    code: str
    slide: int
    setup: dict = field(default_factory=dict)
    levers: dict[str, float] = field(default_factory=dict)
    started_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


def checked_code(code: str) -> str:
    """``code`` upper-cased without spaces; ValueError when it cannot be a deck's code."""
    text = "".join(str(code).split()).upper()
    if not _CODE.fullmatch(text):
        raise ValueError(
            _(
                "{code} is not a deck code: a code is {length} letters and digits, e.g. K7Q2, shown on the presenter "
                "view and in the presenting window's address (deck=…)."
            ).format(code=repr(str(code)[:20]), length=CODE_LENGTH)
        )
    return text


def new_code() -> str:
    """A random deck code (``CODE_LENGTH`` characters of ``CODE_ALPHABET``: about 920,000 codes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def _json(value: Mapping, what: str) -> str:
    text = json.dumps(dict(value), sort_keys=True, ensure_ascii=False)
    if len(text) > MAX_JSON_CHARS:
        raise ValueError(
            f"the deck's {what} come to {len(text):,} characters; a live deck keeps at most {MAX_JSON_CHARS:,}"
        )
    return text


def _levers(levers: Mapping[str, float]) -> dict[str, float]:
    """``levers`` as numbers, checked like a saved scenario's (ValueError: unknown lever, out of range)."""
    Scenario.of("live levers", levers)
    return {str(k): float(v) for k, v in levers.items()}


class LiveDecks:
    """The ``Workspace``'s decks under way (see the module docstring)."""

    def start_live_deck(
        self, slide: int = 1, setup: Mapping | None = None, levers: Mapping[str, float] | None = None
    ) -> LiveDeck:
        """A new deck under way with a code no other deck has, showing ``slide``; decks untouched
        for ``KEPT_FOR`` are removed."""
        values, setup_text = _levers(levers or {}), _json(setup or {}, "setup")
        now = utc_now()
        with self._transaction() as con:
            con.execute("DELETE FROM live_decks WHERE updated_at < ?", [now - KEPT_FOR])
            taken = set(self._column("SELECT code FROM live_decks"))
            code = new_code()
            while code in taken:
                code = new_code()
            con.execute(
                "INSERT INTO live_decks VALUES (?, ?, ?, ?, ?, ?)",
                [code, int(slide), setup_text, _json(values, "levers"), now, now],
            )
        return LiveDeck(code, int(slide), dict(setup or {}), values, now, now)

    def live_deck(self, code: str) -> LiveDeck:
        """The deck under way with ``code`` (any case); ValueError saying what to do when there is none."""
        code = checked_code(code)
        rows = self._fetch("SELECT * FROM live_decks WHERE code = ?", [code])
        if not rows:
            raise ValueError(
                _(
                    "No deck is being presented under the code {code}. Open the presenter view with the “Open the "
                    "presenter view” link of the Workshop page, or check the code in the presenting window's address "
                    "(deck=…)."
                ).format(code=code)
            )
        code, slide, setup, levers, started_at, updated_at = rows[0]
        return LiveDeck(code, slide, json.loads(setup), json.loads(levers), started_at, updated_at)

    def update_live_deck(
        self,
        code: str,
        *,
        slide: int | None = None,
        setup: Mapping | None = None,
        levers: Mapping[str, float] | None = None,
        restart: bool = False,
    ) -> LiveDeck:
        """Change what is given of the deck ``code`` (``restart``: its clock starts again now) and
        return it; the last write wins. ValueError for an unknown code or levers out of range."""
        changes: dict[str, object] = {"updated_at": utc_now()}
        if slide is not None:
            changes["slide"] = max(int(slide), 1)
        if setup is not None:
            changes["setup"] = _json(setup, "setup")
        if levers is not None:
            changes["levers"] = _json(_levers(levers), "levers")
        if restart:
            changes["started_at"] = changes["updated_at"]
        code = self.live_deck(code).code
        with self._transaction() as con:
            con.execute(
                f"UPDATE live_decks SET {', '.join(f'{name} = ?' for name in changes)} WHERE code = ?",
                [*changes.values(), code],
            )
        return self.live_deck(code)
