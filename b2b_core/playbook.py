"""The operations playbook (``data/playbook.toml``): quadrant names, priorities and actions; the
operating levers with their actions per lifecycle stage; base weights per (stage, business model,
lever); the customer-journey order per business model; and the data-driven adjustment rules.

The file is meant to be edited by a facilitator, so loading it checks every part and raises a
``PlaybookError`` naming the file, the key and what to write instead; nothing half-read is returned.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from b2b_core.i18n import N_, _
from b2b_core.quadrants.assign import NUMERALS, QUADRANTS, STATE_NAMES, named_states, numeral, state_name

PLAYBOOK_PATH = Path(__file__).resolve().parent.parent / "data" / "playbook.toml"
PLAYBOOK_PATHS = {"en": PLAYBOOK_PATH, "zh": PLAYBOOK_PATH.with_name("playbook.zh.toml")}  # by language
STATE_COLUMNS = ("quadrant", "before", "after", "quadrant_before", "quadrant_after")  # columns holding states
STAGES = ("cold_start", "traction", "accelerated_growth", "steady_growth", "contraction")
BUSINESS_MODELS = ("platform", "tool", "hardware", "service")
BUSINESS_MODEL_NAMES = {  # in English; translated where shown (``business_model_name``)
    "platform": N_("Platform"),
    "tool": N_("Tool / SaaS"),
    "hardware": N_("Hardware"),
    "service": N_("Service"),
}
DIRECTIONS = ("below", "above")
DIRECTION_NAMES = {"below": N_("below"), "above": N_("above")}  # translated where shown
RULE_NAMES = {  # the bundled rules by their ids in words, translated where shown (``rule_name``)
    "renewal_below_target": N_("renewal below target"),
    "nrr_below_100": N_("nrr below 100"),
    "activation_below_target": N_("activation below target"),
    "new_account_growth_below_target": N_("new account growth below target"),
    "many_under_monetised": N_("many under monetised"),
    "many_at_risk": N_("many at risk"),
    "concentrated_growth_system": N_("concentrated growth system"),
    "concentrated_sales": N_("concentrated sales"),
}


def rule_name(rule_id: str) -> str:
    """A rule's name as a person reads it, in the current language: its id in words
    (``renewal below target``); a rule the bundled file does not have keeps its id's words."""
    return _(RULE_NAMES[rule_id]) if rule_id in RULE_NAMES else rule_id.replace("_", " ")


def business_model_name(model: str) -> str:
    """A business model's name in the current language: ``Tool / SaaS``, ``工具 / SaaS``."""
    return _(BUSINESS_MODEL_NAMES[model])


class PlaybookError(ValueError):
    """The playbook file cannot be used; the message names the key and the fix."""


@dataclass(frozen=True)
class QuadrantPlay:
    """What a quadrant means and what to do about its accounts."""

    quadrant: str
    name: str
    priority: int
    meaning: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Lever:
    """An operating lever: ``key`` (as used in weights and rules), name, description, and the
    recommended actions per stage."""

    key: str
    name: str
    description: str
    actions: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Rule:
    """A data-driven adjustment: when ``signal`` is ``direction`` its stage's ``target``, the
    lever's score rises by min(``cap``, ``slope`` × gap), gap = |value − target| on the wrong side."""

    id: str
    signal: str
    direction: str
    target: dict[str, float]
    slope: float
    cap: float
    lever: str
    rationale: str


@dataclass(frozen=True)
class Playbook:
    """The parsed playbook; ``quadrants`` in priority order (ties by quadrant number); ``levers``
    in file order; ``weights[(stage, model)][lever]`` the base weights; ``journeys[model]`` the
    customer-journey steps; ``rules`` in file order."""

    quadrants: tuple[QuadrantPlay, ...]
    levers: tuple[Lever, ...]
    weights: dict[tuple[str, str], dict[str, float]]
    journeys: dict[str, tuple[str, ...]]
    rules: tuple[Rule, ...]

    def lever(self, key: str) -> Lever:
        """The lever called ``key``."""
        return next(lever for lever in self.levers if lever.key == key)

    def with_weights(self, stage: str, model: str, weights: dict[str, float]) -> Playbook:
        """A copy with the base weights of (``stage``, ``model``) replaced (every lever must be given,
        each a number ≥ 0); the what-if of the lifecycle page."""
        if stage not in STAGES or model not in BUSINESS_MODELS:
            raise PlaybookError(
                _("no weights for stage {stage} and model {model}: use {stages} and {models}").format(
                    stage=repr(stage), model=repr(model), stages=STAGES, models=BUSINESS_MODELS
                )
            )
        where = _("weights for {stage}, {model}").format(stage=stage, model=model)
        checked = _weights(weights, [lever.key for lever in self.levers], where)
        return replace(self, weights={**self.weights, (stage, model): checked})

    def with_saved_weights(self, saved: Mapping[tuple[str, str], Mapping[str, float]]) -> tuple[Playbook, list[str]]:
        """A copy with the weights saved in the workspace ((stage, model) → lever → weight) in
        place of the file's, and what could not be applied, in words: weights saved for levers
        the playbook file no longer has (or lacks some it now has) are skipped."""
        book, problems = self, []
        for (stage, model), weights in saved.items():
            try:
                book = book.with_weights(stage, model, dict(weights))
            except PlaybookError as exc:
                problems.append(
                    _("the weights saved for {stage} · {model} no longer fit the playbook file ({reason})").format(
                        stage=stage, model=model, reason=exc
                    )
                )
        return book, problems

    def quadrant(self, quadrant: str) -> QuadrantPlay:
        """The play of ``"Q1"`` … ``"Q4"`` (the keys; written I … IV, see ``label``)."""
        return next(play for play in self.quadrants if play.quadrant == quadrant)

    def label(self, quadrant: str) -> str:
        """How a quadrant is written everywhere a person reads it: its roman numeral and its name,
        ``IV · Under-monetised`` for ``"Q4"`` (never ``Q4``, which reads as a calendar quarter);
        other states (``new``, ``churned`` …) in the run's language (``quadrants.state_name``)."""
        return (
            f"{numeral(quadrant)} · {self.quadrant(quadrant).name}" if quadrant in QUADRANTS else state_name(quadrant)
        )

    def labels(self) -> dict[str, str]:
        """Quadrant key → ``label``: ``{"Q1": "I · Core partners", …}``."""
        return {quadrant: self.label(quadrant) for quadrant in QUADRANTS}

    def named(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``frame`` as a person reads it (a table on screen, a CSV): the quadrant keys
        in its index, its columns and its state columns (``STATE_COLUMNS``) written as ``label``s;
        every other value as it was (an account named "Q1" stays so)."""
        labels = self.labels() | {state: state_name(state) for state in STATE_NAMES}
        named = frame.rename(columns=labels)
        if not isinstance(named.index, pd.RangeIndex):  # the rows of a list need no renaming
            named = named.rename(index=labels)
        for column in [c for c in STATE_COLUMNS if c in named.columns]:
            named[column] = named_states(named[column], labels)
        return named


def playbook_path(lang: str = "en") -> Path:
    """The bundled playbook written in ``lang`` (``"en"`` or ``"zh"``: the same keys, numbers and
    rules, only the texts translated; terms as in docs/glossary.md)."""
    if lang not in PLAYBOOK_PATHS:
        raise PlaybookError(
            _("no playbook in language {language}; use one of {languages}").format(
                language=repr(lang), languages=", ".join(PLAYBOOK_PATHS)
            )
        )
    return PLAYBOOK_PATHS[lang]


def load_playbook(path: str | Path = PLAYBOOK_PATH) -> Playbook:
    """Read and check the playbook at ``path``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PlaybookError(
            _("{path}: the playbook file is missing; restore it from the repository").format(path=path)
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlaybookError(
            _("{path}: not valid TOML ({reason}); fix the line it names").format(path=path, reason=exc)
        ) from exc
    return parse_playbook(data, source=str(path))


def parse_playbook(data: dict, source: str = "playbook") -> Playbook:
    """Check a playbook already read into a dict (see ``load_playbook``)."""
    section = data.get("quadrants")
    if not isinstance(section, dict):
        raise PlaybookError(
            _("{source}: no [quadrants] section; add [quadrants.I] … [quadrants.IV]").format(source=source)
        )
    entries = _quadrant_entries(section, f"{source}: [quadrants]")
    plays = [_quadrant_play(q, entry, f"{source}: [quadrants.{key}]") for q, (key, entry) in entries.items()]
    levers = _levers(data.get("levers"), source)
    keys = [lever.key for lever in levers]
    return Playbook(
        quadrants=tuple(sorted(plays, key=lambda play: (play.priority, play.quadrant))),
        levers=levers,
        weights=_weight_tables(data.get("weights"), keys, source),
        journeys=_journeys(data.get("journeys"), source),
        rules=_rules(data.get("rules"), keys, source),
    )


def _quadrant_entries(section: dict, where: str) -> dict[str, tuple[str, object]]:
    """Quadrant key → (the section's name for it, its table). A quadrant is named by its numeral
    (``[quadrants.IV]``) or, in files written before, by its key (``[quadrants.Q4]``), not both."""
    old = {key: numeral(key) for key in QUADRANTS}
    both = [
        _("{key} and {numeral}").format(key=key, numeral=old[key])
        for key in QUADRANTS
        if key in section and old[key] in section
    ]
    if both:
        raise PlaybookError(
            _("{where} names a quadrant twice ({twice}); keep the roman numeral").format(
                where=where, twice=", ".join(both)
            )
        )
    _exactly({old.get(key, key): entry for key, entry in section.items()}, tuple(NUMERALS.values()), where)
    return {q: next((key, section[key]) for key in (old[q], q) if key in section) for q in QUADRANTS}


def _quadrant_play(quadrant: str, entry: object, where: str) -> QuadrantPlay:
    if not isinstance(entry, dict):
        raise PlaybookError(_("{where} must be a table of keys (name, priority, meaning, actions)").format(where=where))
    texts = {key: _text(entry, key, where) for key in ("name", "meaning")}
    priority = entry.get("priority")
    if not isinstance(priority, int) or isinstance(priority, bool) or priority < 1:
        raise PlaybookError(
            _("{where}: priority must be a whole number ≥ 1 (1 = served first), not {value}").format(
                where=where, value=repr(priority)
            )
        )
    actions = entry.get("actions")
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) and a.strip() for a in actions):
        raise PlaybookError(
            _('{where}: actions must be a non-empty list of texts, e.g. actions = ["…", "…"]').format(where=where)
        )
    return QuadrantPlay(quadrant, priority=priority, actions=tuple(a.strip() for a in actions), **texts)


def _text(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PlaybookError(_('{where}: {key} must be a non-empty text, e.g. {key} = "…"').format(where=where, key=key))
    return value.strip()


def _table(value: object, where: str, example: str) -> dict:
    if not isinstance(value, dict):
        raise PlaybookError(
            _("{where} is missing or not a table; add it, e.g. {example}").format(where=where, example=example)
        )
    return value


def _exactly(keys: dict, expected: tuple[str, ...], where: str) -> None:
    missing = [k for k in expected if k not in keys]
    unknown = sorted(set(keys) - set(expected))
    if missing or unknown:
        raise PlaybookError(
            _("{where} must name exactly {expected}{missing}{unknown}").format(
                where=where,
                expected=", ".join(expected),
                missing=_("; missing {keys}").format(keys=", ".join(missing)) if missing else "",
                unknown=_("; unknown {keys}").format(keys=", ".join(unknown)) if unknown else "",
            )
        )


def _texts(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise PlaybookError(_('{where} must be a non-empty list of texts, e.g. ["…", "…"]').format(where=where))
    return tuple(v.strip() for v in value)


def _levers(section: object, source: str) -> tuple[Lever, ...]:
    section = _table(section, f"{source}: [levers]", "[levers.acquisition]")
    if not section:
        raise PlaybookError(
            _("{source}: [levers] names no lever; add at least one, e.g. [levers.acquisition]").format(source=source)
        )
    levers = []
    for key, entry in section.items():
        where = f"{source}: [levers.{key}]"
        entry = _table(entry, where, 'name = "…", description = "…", actions.cold_start = ["…"]')
        actions = _table(entry.get("actions"), f"{where} actions", 'actions.cold_start = ["…"]')
        _exactly(actions, STAGES, f"{where} actions")
        levers.append(
            Lever(
                key,
                name=_text(entry, "name", where),
                description=_text(entry, "description", where),
                actions={stage: _texts(actions[stage], f"{where} actions.{stage}") for stage in STAGES},
            )
        )
    return tuple(levers)


def _number_at_least_zero(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or value == float("inf"):
        raise PlaybookError(_("{where} must be a number ≥ 0, not {value}").format(where=where, value=repr(value)))
    return float(value)


def _weights(entry: object, levers: list[str], where: str) -> dict[str, float]:
    if not isinstance(entry, dict):
        raise PlaybookError(
            _("{where} must be a table of lever = weight, e.g. {example}").format(
                where=where, example="{ " + levers[0] + " = 5, … }"
            )
        )
    _exactly(entry, tuple(levers), where)
    return {lever: _number_at_least_zero(entry[lever], f"{where}: {lever}") for lever in levers}


def _weight_tables(section: object, levers: list[str], source: str) -> dict[tuple[str, str], dict[str, float]]:
    section = _table(section, f"{source}: [weights]", "[weights.cold_start]")
    _exactly(section, STAGES, f"{source}: [weights]")
    tables = {}
    for stage in STAGES:
        where = f"{source}: [weights.{stage}]"
        models = _table(section[stage], where, "platform = { acquisition = 5, … }")
        _exactly(models, BUSINESS_MODELS, where)
        for model in BUSINESS_MODELS:
            tables[(stage, model)] = _weights(models[model], levers, f"{where} {model}")
    return tables


def _journeys(section: object, source: str) -> dict[str, tuple[str, ...]]:
    section = _table(section, f"{source}: [journeys]", 'platform = ["Acquire", "Serve", "Convert to paid"]')
    _exactly(section, BUSINESS_MODELS, f"{source}: [journeys]")
    return {model: _texts(section[model], f"{source}: [journeys] {model}") for model in BUSINESS_MODELS}


def _rules(section: object, levers: list[str], source: str) -> tuple[Rule, ...]:
    if not isinstance(section, list) or not all(isinstance(entry, dict) for entry in section):
        raise PlaybookError(
            _("{source}: rules must be written as [[rules]] tables; for no rules at all, write rules = []").format(
                source=source
            )
        )
    rules = []
    for number, entry in enumerate(section, start=1):
        rule_id = entry.get("id")
        where = _("{source}: rule {number}").format(source=source, number=number) + (
            f" ({rule_id})" if isinstance(rule_id, str) else ""
        )
        texts = {key: _text(entry, key, where) for key in ("id", "signal", "rationale")}
        if entry.get("direction") not in DIRECTIONS:
            raise PlaybookError(
                _('{where}: direction must be "below" or "above", not {value}').format(
                    where=where, value=repr(entry.get("direction"))
                )
            )
        if entry.get("lever") not in levers:
            raise PlaybookError(
                _("{where}: lever must be one of {levers}, not {value}").format(
                    where=where, levers=", ".join(levers), value=repr(entry.get("lever"))
                )
            )
        target = _table(entry.get("target"), f"{where} target", "target = { cold_start = 0.5, … }")
        _exactly(target, STAGES, f"{where} target")
        for stage in STAGES:
            if isinstance(target[stage], bool) or not isinstance(target[stage], (int, float)):
                raise PlaybookError(
                    _("{where} target.{stage} must be a number, not {value}").format(
                        where=where, stage=stage, value=repr(target[stage])
                    )
                )
        rules.append(
            Rule(
                **texts,
                direction=entry["direction"],
                target={stage: float(target[stage]) for stage in STAGES},
                slope=_number_at_least_zero(entry.get("slope"), f"{where} slope"),
                cap=_number_at_least_zero(entry.get("cap"), f"{where} cap"),
                lever=entry["lever"],
            )
        )
    ids = [rule.id for rule in rules]
    if len(set(ids)) < len(ids):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        raise PlaybookError(
            _("{source}: rule ids must be unique; {repeated} repeat").format(source=source, repeated=repeated)
        )
    return tuple(rules)
