"""A panel that lives in another engine (Spark, a warehouse), read where it is.

``ExternalSource`` offers what the views ask of the workspace's panel (``quarters``, ``reduce``):
each reduction is an Ibis expression the source's engine runs, so only its small result comes
into the app; nothing of the table is copied. Opening a source maps its columns and runs the
contract's checks in the engine (``mapped.check``); a source failing them refuses every view.
Each query may run ``config.timeout_seconds``; a longer one is cancelled on the engine and becomes
a message. Uploads, scenarios, playbook weights and the audit trail stay in the workspace.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as WaitedTooLong
from contextlib import nullcontext
from typing import TypeVar

import ibis.expr.types as ir

from b2b_core import engine
from b2b_core.source import connect, mapped, spark
from b2b_core.source.config import SourceConfig, SourceError

T = TypeVar("T")


class SourceFailsChecks(SourceError):
    """The source's rows fail the contract's checks: its report says which and how many."""

    def __init__(self, config: SourceConfig, report: mapped.SourceReport):
        failing = ", ".join(dict.fromkeys(report.problems["check"]))
        super().__init__(
            f"The source {config.name} fails the data contract's checks ({failing}), so no view shows its numbers. "
            "The report below lists each check with its bad rows; correct the source or its [source.mapping], then "
            "try again."
        )
        self.report = report


class ExternalSource:
    """The panel of ``config``'s table, checked on opening (raises ``SourceError`` when the engine
    cannot be reached, ``SourceFailsChecks`` when the rows break the contract)."""

    def __init__(self, config: SourceConfig):
        self.config = config
        self.name = config.name
        self._lock = threading.Lock()  # a non-Spark Ibis connection serves one query at a time
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="source-query")
        self.opened_at = time.time()
        raw = connect.open_table(config)
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

    def _timed(self, work: Callable[[], T], doing: str) -> T:
        with nullcontext() if self.config.is_spark else self._lock:
            future = self._pool.submit(work)
            try:
                return future.result(timeout=self.config.timeout_seconds)
            except WaitedTooLong:
                self._cancel()
                raise SourceError(
                    f"The source {self.name} took longer than {self.config.timeout_seconds:g} s to answer, so the "
                    "query was cancelled. Try again when the engine is less busy, or raise [source] timeout_seconds."
                ) from None
            except SourceError:
                raise
            except Exception as exc:
                raise connect.explain(exc, self.config, doing) from None

    def _cancel(self) -> None:
        """Stop what this app runs on the engine (a Spark session's jobs); other engines finish
        the query on their own and its result is dropped."""
        if self.config.is_spark:
            spark.cancel(self.config.connection)
