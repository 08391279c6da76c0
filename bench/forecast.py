"""How far the scenario lab's base projection can be trusted: its back-test on histories whose
truth is known.

Run: ``python bench/forecast.py [--histories 8] [--accounts 3000] [--quarters 16]``

For each history type, ``--histories`` panels of the sample generator (``generate_panel``, seeds
1 … n, ``--accounts`` accounts ever signed over ``--quarters`` quarters): **flat** signups
(``signup_growth=(0, 0)``) and **growing** signups (the generator's 8–15% a quarter); plus the
bundled **sample** (``generate_panel()``). Each is back-tested as the lab does
(``scenarios.backtest``: the base measured without the last four quarters, projected over them)
and the held-out quarters (1–4 ahead) are compared with the data.

Per history type and output (active accounts, platform revenue): the **coverage** of the 90%
band (the share of held-out quarters whose actual value lies within it), the **mean absolute
error** and the **mean error** (signed: below 0, the projection fell short), fractions of the
actual value. Targets: coverage ≥ 85% for both outputs, and a mean absolute error on accounts
≤ 6%.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b2b_core import sample, scenarios  # noqa: E402

OUTPUTS = {"active_accounts": "accounts", "platform_revenue": "platform revenue"}
COVERAGE_TARGET, ACCOUNTS_ERROR_TARGET = 0.85, 0.06


def held_out(panel: pd.DataFrame, history: str) -> pd.DataFrame:
    """One row per held-out quarter and output: ``history``, ``ahead`` (1–4), ``output``,
    ``covered`` (actual within the band) and ``error`` ((projected − actual) / actual)."""
    table = scenarios.backtest(panel, 4)
    rows = []
    for ahead, (_, row) in enumerate(table.iterrows(), start=1):
        for output in OUTPUTS:
            rows.append(
                {
                    "history": history,
                    "ahead": ahead,
                    "output": output,
                    "covered": row[f"{output}_inside"],
                    "error": row[f"{output}_error"],
                }
            )
    return pd.DataFrame(rows)


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per history type and output: coverage, mean absolute and mean error, held-out quarters."""
    grouped = results.groupby(["history", "output"], sort=False)
    return pd.DataFrame(
        {
            "coverage": grouped["covered"].mean(),
            "mean_absolute_error": grouped["error"].apply(lambda e: e.abs().mean()),
            "mean_error": grouped["error"].mean(),
            "quarters": grouped.size(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=8)
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--quarters", type=int, default=16)
    args = parser.parse_args()
    start = time.perf_counter()
    parts = [held_out(sample.generate_panel(), "sample")]
    for kind, growth in (("flat", (0.0, 0.0)), ("growing", sample.SIGNUP_GROWTH)):
        for seed in range(1, args.histories + 1):
            panel = sample.generate_panel(args.accounts, args.quarters, seed=seed, signup_growth=growth)
            parts.append(held_out(panel, kind))
    results = pd.concat(parts, ignore_index=True)
    generated = results[results["history"] != "sample"]
    everything = pd.concat([summary(results), summary(generated.assign(history="all generated"))])
    with pd.option_context("display.float_format", "{:.1%}".format, "display.width", 120):
        print(everything.to_string())
    coverage = generated.groupby("output")["covered"].mean()
    accounts_error = generated.loc[generated["output"] == "active_accounts", "error"].abs().mean()
    print(
        f"\nGenerated histories: coverage {', '.join(f'{OUTPUTS[o]} {c:.0%}' for o, c in coverage.items())} "
        f"(target ≥ {COVERAGE_TARGET:.0%}); mean absolute error on accounts {accounts_error:.1%} "
        f"(target ≤ {ACCOUNTS_ERROR_TARGET:.0%}); {time.perf_counter() - start:.0f} s"
    )


if __name__ == "__main__":
    main()
