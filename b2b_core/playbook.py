"""The operations playbook (``data/playbook.toml``): quadrant names, priorities and actions.

The file is meant to be edited by a facilitator, so loading it checks every part and raises a
``PlaybookError`` naming the file, the key and what to write instead; nothing half-read is returned.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

PLAYBOOK_PATH = Path(__file__).resolve().parent.parent / "data" / "playbook.toml"
QUADRANTS = ("Q1", "Q2", "Q3", "Q4")


class PlaybookError(ValueError):
    """The playbook file cannot be used; the message names the key and the fix."""


@dataclass(frozen=True)
class QuadrantPlay:
    """What a quadrant means and what to do about its accounts."""

    quadrant: str
    name: str
    position: str
    priority: int
    meaning: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Playbook:
    """The parsed playbook; ``quadrants`` in priority order (ties by quadrant number)."""

    quadrants: tuple[QuadrantPlay, ...]

    def quadrant(self, quadrant: str) -> QuadrantPlay:
        """The play of ``"Q1"`` … ``"Q4"``."""
        return next(play for play in self.quadrants if play.quadrant == quadrant)

    def label(self, quadrant: str) -> str:
        """``Q4 · Under-monetised``; other states (``new``, ``churned`` …) unchanged."""
        return f"{quadrant} · {self.quadrant(quadrant).name}" if quadrant in QUADRANTS else quadrant


def load_playbook(path: str | Path = PLAYBOOK_PATH) -> Playbook:
    """Read and check the playbook at ``path``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PlaybookError(f"{path}: the playbook file is missing; restore it from the repository") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlaybookError(f"{path}: not valid TOML ({exc}); fix the line it names") from exc
    return parse_playbook(data, source=str(path))


def parse_playbook(data: dict, source: str = "playbook") -> Playbook:
    """Check a playbook already read into a dict (see ``load_playbook``)."""
    section = data.get("quadrants")
    if not isinstance(section, dict):
        raise PlaybookError(f"{source}: no [quadrants] section; add [quadrants.Q1] … [quadrants.Q4]")
    missing = [q for q in QUADRANTS if q not in section]
    unknown = sorted(set(section) - set(QUADRANTS))
    if missing or unknown:
        raise PlaybookError(
            f"{source}: [quadrants] must hold exactly Q1, Q2, Q3 and Q4"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(unknown)}" if unknown else "")
        )
    plays = [_quadrant_play(q, section[q], f"{source}: [quadrants.{q}]") for q in QUADRANTS]
    return Playbook(quadrants=tuple(sorted(plays, key=lambda play: (play.priority, play.quadrant))))


def _quadrant_play(quadrant: str, entry: object, where: str) -> QuadrantPlay:
    if not isinstance(entry, dict):
        raise PlaybookError(f"{where} must be a table of keys (name, position, priority, meaning, actions)")
    texts = {key: _text(entry, key, where) for key in ("name", "position", "meaning")}
    priority = entry.get("priority")
    if not isinstance(priority, int) or isinstance(priority, bool) or priority < 1:
        raise PlaybookError(f"{where}: priority must be a whole number ≥ 1 (1 = served first), not {priority!r}")
    actions = entry.get("actions")
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) and a.strip() for a in actions):
        raise PlaybookError(f'{where}: actions must be a non-empty list of texts, e.g. actions = ["…", "…"]')
    return QuadrantPlay(quadrant, priority=priority, actions=tuple(a.strip() for a in actions), **texts)


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PlaybookError(f'{where}: {key} must be a non-empty text, e.g. {key} = "…"')
    return value.strip()
