"""Exports as ops leads bring them, for the tests: written in code, so that what they hold is plain."""

from __future__ import annotations

import random

QUARTER_ENDS = ("31/03/1997", "30/06/1997", "30/09/1997", "31/12/1997", "31/03/1998", "30/06/1998")


def purchase_log_1997(accounts: int = 60, seed: int = 4) -> bytes:
    """A 1997–1998 export of an old shop system, six quarters long (1997Q1–1998Q2): ``;``-delimited,
    the period as a DD/MM/YYYY date, amounts with ``$``, a space and thousands separators, each
    account absent from about 30% of the quarters. One row per account and quarter."""
    draw = random.Random(seed)
    lines = ["Customer ID;Period end;Commission;GMV"]
    for day in QUARTER_ENDS:
        for number in range(accounts):
            if draw.random() < 0.3:
                continue
            gmv = draw.uniform(5, 3000)
            lines.append(f"CD{number:05d};{day};$ {gmv * 0.1:,.2f};$ {gmv:,.2f}")
    return ("\n".join(lines) + "\n").encode()
