"""Two results of a view equal, whatever holds them, numbers to a relative tolerance: the same
view on two engines (``test_spark_views``), or in two languages (``test_worded_reductions``)."""

from __future__ import annotations

import base64
import dataclasses
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from b2b_core.scenarios.series import SeriesForecast

RTOL = 1e-9
# A series model's optimiser turns the last digits of its inputs (float sums, added in the order of
# Spark's partitions, which varies from run to run) into the 7th of its forecast, as on DuckDB
# against numpy (tests/test_reductions.py): its forecasts, and the back-test made of them, to 1e-6.
FITTED_RTOL = 1e-6


def assert_same(found, expected, where: str, rtol: float = RTOL) -> None:
    """``found`` equals ``expected``, numbers to ``rtol`` relative (a series model's forecast to
    ``FITTED_RTOL``), whatever holds them (frames, arrays, dataclasses, figures, mappings, sequences)."""
    if isinstance(expected, SeriesForecast):
        rtol = max(rtol, FITTED_RTOL)
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(found, expected, check_exact=False, rtol=rtol, obj=where)
    elif isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(found, expected, check_exact=False, rtol=rtol, obj=where)
    elif isinstance(expected, pd.Index):
        pd.testing.assert_index_equal(found, expected, obj=where)
    elif isinstance(expected, np.ndarray):
        assert isinstance(found, np.ndarray) and found.shape == expected.shape, where
        if expected.dtype.kind == "f":
            np.testing.assert_allclose(found, expected, rtol=rtol, err_msg=where)
        else:
            np.testing.assert_array_equal(found, expected, err_msg=where)
    elif isinstance(expected, go.Figure):
        assert_same(found.to_plotly_json(), expected.to_plotly_json(), f"{where} (figure)", rtol)
    elif dataclasses.is_dataclass(expected):
        assert type(found) is type(expected), where
        for field in dataclasses.fields(expected):
            assert_same(getattr(found, field.name), getattr(expected, field.name), f"{where}.{field.name}", rtol)
    elif isinstance(expected, dict) and "bdata" in expected:  # a figure's numbers, packed
        assert_same(_unpacked(found), _unpacked(expected), where, rtol)
    elif isinstance(expected, dict):
        assert list(found) == list(expected), where
        for key, value in expected.items():
            assert_same(found[key], value, f"{where}[{key!r}]", rtol)
    elif isinstance(expected, list | tuple):
        assert type(found) is type(expected) and len(found) == len(expected), where
        for i, (ours, theirs) in enumerate(zip(found, expected, strict=True)):
            assert_same(ours, theirs, f"{where}[{i}]", rtol)
    elif isinstance(expected, float) and not isinstance(found, str):
        assert math.isclose(found, expected, rel_tol=rtol) or (math.isnan(found) and math.isnan(expected)), where
    elif hasattr(expected, "__dict__") and not isinstance(expected, type):
        assert type(found) is type(expected), where
        assert_same(vars(found), vars(expected), where, rtol)
    else:
        assert found == expected, where


def _unpacked(packed: dict) -> np.ndarray:
    """The array of a figure's ``{"dtype": …, "bdata": base64, "shape": …}``."""
    values = np.frombuffer(base64.b64decode(packed["bdata"]), dtype=packed["dtype"])
    shape = packed.get("shape")
    return values.reshape([int(n) for n in str(shape).split(",")]) if shape else values
