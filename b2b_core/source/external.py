"""A panel that lives in another engine (Spark, a warehouse), read where it is.

``ExternalSource`` offers what the views ask of the workspace's panel (``quarters``, ``reduce``):
each reduction is an Ibis expression the source's engine runs, so only its small result comes
into the app; nothing of the table is copied. Opening a source maps its columns and runs the
contract's checks in the engine (``mapped.check``); a source failing them refuses every view.
Each query may run ``config.timeout_seconds``; a longer one is cancelled on the engine and becomes
a message. Uploads, scenarios, playbook weights and the audit trail stay in the workspace.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import TypeVar

import ibis.expr.types as ir

from b2b_core import engine
from b2b_core.i18n import N_
from b2b_core.source import connect, mapped, spark
from b2b_core.source.config import SourceConfig, SourceError
from b2b_core.source.words import words

T = TypeVar("T")
# The longest opening the table may take (a local session's JVM start included): a Spark Connect
# client retries a server that is not there for minutes.
CONNECT_SECONDS = 120.0


class SourceFailsChecks(SourceError):
    """The source's rows fail the contract's checks: its report says which and how many."""

    def __init__(self, config: SourceConfig, report: mapped.SourceReport):
        super().__init__(
            words(
                N_(
                    "The source {name} fails the data contract's checks ({failing}), so no view shows its numbers. "
                    "The report below lists each check with its bad rows; correct the source or its [source.mapping], "
                    "then try again."
                ),
                name=config.named(),
                failing=report.failing(),
            )
        )
        self.report = report


class ExternalSource:
    """The panel of ``config``'s table, checked on opening (raises ``SourceError`` when the engine
    cannot be reached, ``SourceFailsChecks`` when the rows break the contract)."""

    def __init__(self, config: SourceConfig):
        self.config = config
        self._lock = threading.Lock()  # a non-Spark Ibis connection serves one query at a time
        self.opened_at = time.time()
        self._backend = None
        raw = self._timed(lambda: connect.open_table(config), "could not be opened", CONNECT_SECONDS)
        self._backend = raw._find_backend()
        columns = self._timed(lambda: mapped.plan(raw, config.mapping), "could not be read")
        self.report = self._timed(lambda: mapped.check(raw, columns), "could not be checked")
        if not self.report.ok:
            raise SourceFailsChecks(config, self.report)
        self.table = mapped.contract_table(raw, columns)
        self._quarters = self._timed(
            lambda: engine.run(self.table.select("quarter").distinct().order_by("quarter"))["quarter"].tolist(),
            "could not be read",
        )

    @property
    def name(self) -> str:
        """The source in words (``SourceConfig.name``), in the current language."""
        return self.config.name

    @property
    def version(self) -> int:
        """The refresh period (``config.refresh_minutes`` long) the app is in: views computed in
        one period are kept until the next, when the engine is asked again."""
        return int(time.time() // (self.config.refresh_minutes * 60))

    def quarters(self) -> list[str]:
        """The source's quarters, in order (as read on opening)."""
        return list(self._quarters)

    def reduce(self, reduction: Callable[[ir.Table], T]) -> T:
        """``reduction(panel)`` run by the source's engine, where ``panel`` is the source as the
        contract's panel; raises ``SourceError`` (the engine's failure or a timeout, in words)."""
        return self._timed(lambda: reduction(self.table), "failed to compute a view")

    def _timed(self, work: Callable[[], T], doing: str, at_most: float | None = None) -> T:
        """``work()`` on a worker thread, waited for ``timeout_seconds`` (or ``at_most`` when that is
        shorter); past that, the engine's queries are cancelled and a SourceError says so. A
        non-Spark connection runs one query at a time (the lock is held by the worker, so a query
        left running keeps the next waiting)."""

        seconds = min(self.config.timeout_seconds, at_most or self.config.timeout_seconds)

        def locked() -> T:
            with nullcontext() if self.config.is_spark else self._lock:
                return work()

        try:
            return _within(seconds, locked)
        except WaitedTooLong:
            self._cancel()
            if self._backend is None:  # still connecting
                raise SourceError(
                    words(
                        N_(
                            "The source {name} did not answer within {seconds} s: check that the engine is running "
                            "and that this machine can reach its host and port."
                        ),
                        name=self.config.named(),
                        seconds=f"{seconds:g}",
                    )
                ) from None
            raise SourceError(
                words(
                    N_(
                        "The source {name} took longer than {seconds} s to answer, so the query was cancelled. Try "
                        "again when the engine is less busy, or raise [source] timeout_seconds."
                    ),
                    name=self.config.named(),
                    seconds=f"{seconds:g}",
                )
            ) from None
        except SourceError:
            raise
        except Exception as exc:
            raise connect.explain(exc, self.config, doing) from None

    def _cancel(self) -> None:
        """Stop what this app runs on the engine: a Spark session's jobs, a DuckDB connection's
        query; other engines finish the query on their own and its result is dropped."""
        if self.config.is_spark:
            spark.cancel(self.config.connection)
            return
        interrupt = getattr(getattr(self._backend, "con", None), "interrupt", None)
        if callable(interrupt):
            interrupt()


class WaitedTooLong(Exception):
    """A query did not answer within its time."""


def _within(seconds: float, work: Callable[[], T]) -> T:
    """``work()`` run on a daemon thread (one an engine that never answers cannot keep the app
    from exiting), in a copy of the caller's context (its language: ``i18n``), its result or
    exception; ``WaitedTooLong`` after ``seconds``."""
    outcome: dict[str, object] = {}
    context = contextvars.copy_context()

    def run() -> None:
        try:
            outcome["result"] = context.run(work)
        except BaseException as exc:  # handed to the waiting thread, which raises it
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="source-query", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise WaitedTooLong
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
