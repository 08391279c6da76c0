"""What a workspace keeps besides the panel: saved scenarios with the projection each had when it
was saved, the scenario base's assumptions set by hand, the playbook weights edited in the app,
and the currency of its amounts. Part of ``Workspace``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from b2b_core import access
from b2b_core.access import Actor
from b2b_core.amounts import Currency
from b2b_core.i18n import _
from b2b_core.scenarios.levers import Scenario
from b2b_core.scenarios.overrides import ASSUMPTIONS
from b2b_core.scenarios.plan import KeptProjection
from b2b_core.store.schema import utc_now


def currency_of(text: str) -> Currency:
    """The ``Currency`` stored as ``{"symbol": …, "code": …}``; ValueError for anything else."""
    try:
        stored = json.loads(text)
        return Currency.of(stored["symbol"], stored["code"])
    except (TypeError, KeyError, json.JSONDecodeError):
        raise ValueError(f"{text[:80]!r} is not a currency's symbol and code") from None


class SavedSettings:
    """The ``Workspace``'s saved scenarios (with their kept projections), playbook weights and
    currency, each change audited."""

    def currency(self) -> Currency | None:
        """The currency of the workspace's amounts, or None when none was set (amounts show as
        plain numbers)."""
        found = self._column("SELECT value FROM workspace_settings WHERE setting = 'currency'")
        return currency_of(found[0]) if found else None

    def set_currency(self, currency: Currency | None, *, actor: Actor) -> None:
        """Set the currency shown on every amount for everyone (None: no currency, plain numbers);
        audited with the currency it replaced. ``Currency.of`` checks a symbol and code typed in."""
        access.require(actor, "set_currency")
        with self._transaction() as con:
            before = self.currency()
            con.execute("DELETE FROM workspace_settings WHERE setting = 'currency'")
            if currency is not None:
                value = json.dumps({"symbol": currency.symbol, "code": currency.code}, ensure_ascii=False)
                con.execute(
                    "INSERT INTO workspace_settings VALUES ('currency', ?, ?, ?)",
                    [value, utc_now(), actor.email or actor.name],
                )
            self._record(
                actor,
                "set_currency",
                f"set the currency to {currency.label}" if currency else "showed amounts without a currency",
                {
                    "currency": currency and currency.label,
                    "before": before and before.label,
                },
            )

    def saved_scenarios(self) -> list[tuple[str, dict[str, float]]]:
        """The saved scenarios as (name, lever → value), in the order they were first saved."""
        return [
            (name, json.loads(levers))
            for name, levers in self._fetch("SELECT name, levers FROM scenarios ORDER BY position")
        ]

    def _saved_name(self, name: str) -> str | None:
        """The saved scenario name equal to ``name`` ignoring case, or None."""
        found = self._column("SELECT name FROM scenarios WHERE lower(name) = lower(?)", [name])
        return found[0] if found else None

    def save_scenario(
        self, name: str, levers: Mapping[str, float], *, actor: Actor, projection: KeptProjection | None = None
    ) -> None:
        """Save a scenario's lever values under ``name``, replacing the scenario of that name (the
        same name ignoring case) in its place, or adding it last. ``projection``, the scenario's
        projection on the data of the moment, is kept with it, stamped with the time and the
        actor (their e-mail address, or the local user's name); saving again replaces the kept
        projection, and without one leaves none. ValueError, nothing saved, for a scenario the app
        could not open (``Scenario.of``)."""
        access.require(actor, "save_scenario")
        Scenario.of(name, levers)  # ValueError for what the app could not open: an unknown lever, a value out of range
        values = {str(k): float(v) for k, v in levers.items()}
        with self._transaction() as con:
            existing = self._saved_name(name)
            if existing is None:
                con.execute(
                    "INSERT INTO scenarios SELECT ?, ?, coalesce(max(position), 0) + 1, ? FROM scenarios",
                    [name, json.dumps(values), utc_now()],
                )
            else:
                con.execute(
                    "UPDATE scenarios SET name = ?, levers = ?, saved_at = ? WHERE name = ?",
                    [name, json.dumps(values), utc_now(), existing],
                )
                con.execute("DELETE FROM kept_projections WHERE name = ?", [existing])
            details = {"name": name, "levers": values}
            if projection is not None:
                con.execute(
                    "INSERT INTO kept_projections VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        name,
                        projection.last_quarter,
                        projection.horizon,
                        utc_now(),
                        actor.email or actor.name,
                        projection.to_json(),
                    ],
                )
                details["projection"] = {"last_quarter": projection.last_quarter, "horizon": projection.horizon}
            self._record(actor, "save_scenario", f"saved scenario {name!r}", details)

    def kept_projections(self) -> dict[str, KeptProjection]:
        """Saved scenario name → the projection kept when it was last saved, in the scenarios'
        order; scenarios saved without one (before the app kept them, or with no data) are absent."""
        rows = self._fetch(
            "SELECT k.name, last_quarter, projection, k.saved_at, saved_by FROM kept_projections k "
            "JOIN scenarios USING (name) ORDER BY position"
        )
        return {
            name: KeptProjection.from_json(text, last, saved_at, saved_by)
            for name, last, text, saved_at, saved_by in rows
        }

    def rename_scenario(self, old: str, new: str, *, actor: Actor) -> None:
        """Rename a saved scenario in its place, with its kept projection. KeyError if none is
        called ``old``; ValueError if another one is already called ``new`` (ignoring case)."""
        access.require(actor, "save_scenario")
        with self._transaction() as con:
            if not self._column("SELECT 1 FROM scenarios WHERE name = ?", [old]):
                raise KeyError(_("no saved scenario is called {name}").format(name=repr(old)))
            taken = self._saved_name(new)
            if taken is not None and taken != old:
                raise ValueError(
                    _("a saved scenario is already called {name}: choose another name").format(name=repr(taken))
                )
            con.execute("UPDATE scenarios SET name = ? WHERE name = ?", [new, old])
            con.execute("UPDATE kept_projections SET name = ? WHERE name = ?", [new, old])
            self._record(actor, "rename_scenario", f"renamed scenario {old!r} to {new!r}", {"old": old, "new": new})

    def delete_scenario(self, name: str, *, actor: Actor) -> None:
        """Delete a saved scenario and its kept projection; KeyError if none is called ``name``."""
        access.require(actor, "save_scenario")
        with self._transaction() as con:
            if not self._column("SELECT 1 FROM scenarios WHERE name = ?", [name]):
                raise KeyError(_("no saved scenario is called {name}").format(name=repr(name)))
            con.execute("DELETE FROM scenarios WHERE name = ?", [name])
            con.execute("DELETE FROM kept_projections WHERE name = ?", [name])
            self._record(actor, "delete_scenario", f"deleted scenario {name!r}", {"name": name})

    def base_overrides(self) -> dict[str, tuple[float, dt.datetime, str]]:
        """The scenario base's assumptions set by hand: assumption → (value in its unit, when,
        by whom), in ``ASSUMPTIONS`` order."""
        rows = {
            key: (value, saved_at, saved_by)
            for key, value, saved_at, saved_by in self._fetch("SELECT * FROM base_overrides")
        }
        return {key: rows[key] for key in ASSUMPTIONS if key in rows}

    def override_base(self, assumption: str, value: float, *, actor: Actor) -> None:
        """Set an assumption of the scenario base by hand for everyone (replacing the one set
        before), stamped with the time and the actor; audited with the value it replaced.
        ValueError, nothing saved, for an unknown assumption or a value out of its range."""
        access.require(actor, "override_base")
        if assumption not in ASSUMPTIONS:
            raise ValueError(f"unknown base assumption {assumption!r}; the assumptions are {list(ASSUMPTIONS)}")
        named = ASSUMPTIONS[assumption]  # the audit trail names it in English
        number = named.check(value)
        with self._transaction() as con:
            before = self.base_overrides().get(assumption)
            con.execute(
                "INSERT OR REPLACE INTO base_overrides VALUES (?, ?, ?, ?)",
                [assumption, number, utc_now(), actor.email or actor.name],
            )
            self._record(
                actor,
                "override_base",
                f"set {named.english_label.lower()} to {number:g} {named.english_unit}".rstrip(),
                {"assumption": assumption, "value": number, "before": before[0] if before else None},
            )

    def clear_base_override(self, assumption: str, *, actor: Actor) -> None:
        """Let the data decide an assumption of the scenario base again; KeyError when it was
        not overridden."""
        access.require(actor, "override_base")
        with self._transaction() as con:
            before = self.base_overrides().get(assumption)
            if before is None:
                raise KeyError(_("the base assumption {name} is not overridden").format(name=repr(assumption)))
            con.execute("DELETE FROM base_overrides WHERE assumption = ?", [assumption])
            self._record(
                actor,
                "override_base",
                f"let the data decide {ASSUMPTIONS[assumption].english_label.lower()} again",
                {"assumption": assumption, "value": None, "before": before[0]},
            )

    def playbook_weights(self) -> dict[tuple[str, str], dict[str, float]]:
        """The saved base weights: (stage, model) → lever → weight."""
        rows = self._fetch("SELECT stage, model, weights FROM playbook_weights ORDER BY stage, model")
        return {(stage, model): json.loads(weights) for stage, model, weights in rows}

    def save_playbook_weights(self, stage: str, model: str, weights: Mapping[str, float], *, actor: Actor) -> None:
        """Save the base weights of (``stage``, ``model``) for everyone, replacing any saved
        before; audited with the weights that changed. ValueError for a weight that is not a
        finite number ≥ 0 (the playbook checks the levers when it applies them)."""
        access.require(actor, "edit_playbook")
        values = {str(k): float(v) for k, v in weights.items()}
        bad = next(((k, v) for k, v in values.items() if not (v >= 0 and v != float("inf"))), None)
        if bad:
            raise ValueError(
                _("the weight of {lever} is {weight}: a weight is a number from 0 up").format(
                    lever=bad[0], weight=bad[1]
                )
            )
        with self._transaction() as con:
            before = self.playbook_weights().get((stage, model), {})
            con.execute(
                "INSERT OR REPLACE INTO playbook_weights VALUES (?, ?, ?, ?)",
                [stage, model, json.dumps(values), utc_now()],
            )
            changed = {k: [before.get(k), v] for k, v in values.items() if before.get(k) != v}
            self._record(
                actor,
                "edit_playbook",
                f"saved the base weights of {stage} · {model} ({len(changed)} changed)",
                {"stage": stage, "model": model, "weights": values, "changed": changed},
            )

    def reset_playbook_weights(self, stage: str, model: str, *, actor: Actor) -> None:
        """Drop the saved weights of (``stage``, ``model``): the playbook file's apply again."""
        access.require(actor, "edit_playbook")
        with self._transaction() as con:
            con.execute("DELETE FROM playbook_weights WHERE stage = ? AND model = ?", [stage, model])
            self._record(
                actor,
                "edit_playbook",
                f"went back to the playbook file's base weights of {stage} · {model}",
                {"stage": stage, "model": model, "weights": None},
            )
