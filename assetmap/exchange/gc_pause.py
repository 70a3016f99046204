"""Holding off Python's cyclic garbage collector while one batch of an export or import is made.

A batch makes a few containers per row, freed by reference counting as soon as the batch is
done. But every 700 containers made start a collection, and a batch's survivors of those soon
start full collections, which walk every object in the process (an import's growing record of
what it has seen among them): a fifth of a GeoJSON export's time and a third of an import's.
Paused for a batch, the collector runs once after it instead.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, if it was running."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
