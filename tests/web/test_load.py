"""A small bounded burst from this process at the app served in another, on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "load.py"


@pytest.fixture(scope="module")
def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("assetmap_bench_load", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bursts(load: ModuleType) -> dict[str, object]:
    return {burst.name: burst for burst in load.run(requests=40, threads=8, seconds=60.0)}


def test_every_request_in_a_burst_is_answered(bursts: dict[str, object]) -> None:
    assert {name: (b.lost, b.answered) for name, b in bursts.items()} == {  # type: ignore[attr-defined]
        name: (0, 40) for name in bursts
    }


def test_no_request_in_a_burst_is_answered_with_a_server_error(
    bursts: dict[str, object],
) -> None:
    assert [s for b in bursts.values() for s in b.statuses if s >= 500] == []  # type: ignore[attr-defined]


def test_sign_ins_past_the_limit_are_answered_429(bursts: dict[str, object]) -> None:
    assert bursts["sign-in"].statuses == Counter({400: 10, 429: 30})  # type: ignore[attr-defined]


def test_api_writes_past_the_limit_are_answered_429(bursts: dict[str, object]) -> None:
    assert bursts["api write"].statuses == Counter({400: 20, 429: 20})  # type: ignore[attr-defined]


def test_api_reads_are_not_limited(bursts: dict[str, object]) -> None:
    assert bursts["api read"].statuses == Counter({200: 40})  # type: ignore[attr-defined]
