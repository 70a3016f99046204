from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import nbformat
import orjson
import pytest
from nbclient import NotebookClient

from assetmap.services.exports import write_export
from assetmap.storage.exports import ExportFilter
from tests.exchange.helpers import copy_of, demo_template

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "planner.ipynb"


def fresh_shares(export: Path, names: list[str]) -> dict[str, int]:
    """Return, for each neighbourhood named, the share (a whole percentage, half rounded up)
    of its strengths in the export confirmed in the last 90 days, counted here by hand."""
    features = orjson.loads(export.read_bytes())["features"]
    since = dt.date.today() - dt.timedelta(days=90)
    shares = {}
    for name in names:
        dates = [
            dt.date.fromisoformat(f["properties"]["last_confirmed"][:10])
            for f in features
            if f["properties"]["neighbourhood"] == name
        ]
        fresh = sum(day >= since for day in dates)
        shares[name] = math.floor(100 * fresh / len(dates) + 0.5)
    return shares


def outputs(notebook: nbformat.NotebookNode) -> str:
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", ""))
            texts += [str(value) for value in output.get("data", {}).values()]
    return "\n".join(texts)


@pytest.mark.slow
def test_the_planners_notebook_runs_on_an_export_of_the_demo(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = copy_of(demo_template(tmp_path_factory), tmp_path)
    export = tmp_path / "assetmap.geojson"
    with database.session() as session, export.open("wb") as out:
        write_export(session, "geojson", ExportFilter(), out)
    database.dispose()
    monkeypatch.setenv("ASSETMAP_EXPORT", str(export))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    text = outputs(notebook)
    assert "340 strengths in 7 neighbourhoods" in text
    assert "Health and wellbeing" in text
    assert "Thinly mapped, thinnest first:\n- Oakfield: 16 strengths" in text
    assert "- Berkley Down: 23 strengths" in text
    assert "% confirmed in the last 90 days" in text
    for name, share in fresh_shares(export, ["Oakfield", "Berkley Down"]).items():
        assert re.search(rf"- {name}: .* months ago, {share}% in the last 90 days\n", text)
    assert "data:text/javascript;base64," in text
    assert set(re.findall(r"https?://[\w.-]+", text)) == {"https://tile.openstreetmap.org"}


def test_the_notebook_is_kept_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
