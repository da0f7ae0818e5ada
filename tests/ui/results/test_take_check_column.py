"""The takes list shows each take's result check: a Check column next to the name, the whole story
in its tooltip (and the spans the engine predicted); a take that arrives is scrolled into view."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf
from take_helpers import results_window, separation_take, stereo_wav

from isolde.jobs.result_check import check_take_files
from isolde.ui.results.takes_panel import CHECK_COLUMN, HEADERS, NAME_COLUMN


def test_the_check_column_and_tooltip(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = stereo_wav(tmp_path / "scene.wav")
    good = separation_take(source, tmp_path / "good")  # 0–1 s excluded: the whistle is kept
    assert good.problems == []
    # A second take whose target came back empty: the check run on a real silent file.
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros((48_000 * 4, 2), dtype=np.float32), 48_000, subtype="FLOAT")
    checks = check_take_files(silent, source)
    checks["predicted_spans"] = [[1.2, 3.2]]
    bad = replace(good, id="bad", label="Empty try", checks=checks)

    window = results_window(qtbot, source)
    window.resize(1280, 800)
    window.project.add_take(good)
    window.project.add_take(bad, make_active=False)
    panel = window.results_docks.takes_panel
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5000)
    assert HEADERS[CHECK_COLUMN] == "Check"
    cell = panel.table.item(0, CHECK_COLUMN)
    assert cell.text() == "ok"
    assert cell.toolTip() == "The result check found nothing wrong."
    cell = panel.table.item(1, CHECK_COLUMN)
    assert cell.text() == "⚠ the target is nearly silent throughout"
    tip = cell.toolTip()
    assert "try another prompt or engine" in tip
    assert "The engine heard the sound at 1.20–3.20 s" in tip
    name = panel.table.item(1, NAME_COLUMN)  # the warning shows without scrolling to Check
    assert not name.icon().isNull() and "try another prompt or engine" in name.toolTip()
    assert panel.table.item(0, NAME_COLUMN).icon().isNull()
    # Undoing the add takes the row (and its check) away with the take.
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=3000)
    shots = os.environ.get("ISOLDE_SHOTS")
    if shots:  # for looking at: ISOLDE_SHOTS=/some/folder
        window.project.add_take(bad, make_active=False)
        qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=3000)
        panel.table.selectRow(1)
        window.grab().save(str(Path(shots) / "take-check-column.png"))


def test_the_remix_line_carries_the_first_problem(tmp_path: Path) -> None:
    from isolde.ui.results.take_info import check_text, take_line, take_title

    source = stereo_wav(tmp_path / "scene.wav")
    good = separation_take(source, tmp_path / "good")
    assert take_line(good) == take_title(good)
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros((48_000 * 4, 2), dtype=np.float32), 48_000, subtype="FLOAT")
    bad = replace(good, checks=check_take_files(silent, source))
    first, second = take_line(bad).split("\n")
    assert first == take_title(bad) and second.startswith("⚠ the target is nearly silent")
    assert check_text(replace(good, checks={})) == ""  # a take never checked says nothing


def test_a_take_that_arrives_or_becomes_active_is_scrolled_into_view(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path
) -> None:
    source = stereo_wav(tmp_path / "scene.wav")
    first = separation_take(source, tmp_path / "first")
    window = results_window(qtbot, source)
    window.resize(1280, 800)
    window.show()
    table = window.results_docks.takes_panel.table

    def in_view(row: int) -> bool:
        rect = table.visualItemRect(table.item(row, NAME_COLUMN))
        return table.viewport().rect().contains(rect)

    for n in range(8):  # more than the dock shows at 1280×800
        window.project.add_take(replace(first, id=f"t{n}", label=f"Try {n}"))
        qtbot.waitUntil(lambda n=n: table.rowCount() == n + 1, timeout=3000)
        qtbot.waitUntil(lambda n=n: in_view(n), timeout=3000)  # the new, active take
    assert not in_view(0)
    window.project.set_active_take("t0")  # made active elsewhere (Remix, Ctrl+Z): shown too
    qtbot.waitUntil(lambda: in_view(0), timeout=3000)
    assert table.horizontalHeader().sectionSize(CHECK_COLUMN) <= 260
