"""Remix a take and export a project or a take: what the editor's Apply and Export do, without Qt.

Takes are matched to their source when stored (same rate and length), so a take's target and
residual line up with the source frame for frame. Before anything is written, the output is
checked (`jobs.output_checks`): never one of the files being read (the source, the take's files,
the project), the format can hold the rate and channels, and there is room for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from isolde.audio import AudioSource, OutputFormat, open_audio
from isolde.audio.render import render
from isolde.audio.splice import Splice
from isolde.core.edits import AppliedEdit
from isolde.core.errors import InputError
from isolde.core.progress import CancelToken, ProgressFn, no_progress
from isolde.core.state import ProjectState
from isolde.core.takes import Take
from isolde.jobs.output_checks import check_file_output


@dataclass(frozen=True)
class TakeDir:
    take: Take  # with absolute file paths
    media_path: str


def read_take_dir(folder: Path) -> TakeDir:
    folder = Path(folder)
    path = folder / "take.json"
    if folder.exists() and not folder.is_dir():
        raise InputError(
            f"{folder}: is a file, not a take folder; give the folder a separation wrote "
            "(it holds take.json)"
        )
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        take = Take.from_json(doc["take"]).resolved(folder)
        media = str(doc["media"]["path"])
        if not take.files:
            raise ValueError("it names no files")
    except FileNotFoundError:
        raise InputError(f"{folder}: no take.json here; give a folder a separation wrote") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            f"{path}: not a take file Isolde can read ({exc}); run the separation again"
        ) from None
    for role, name in take.files.items():
        if not Path(name).is_file():
            raise InputError(
                f"{folder}: the take's {role} file {Path(name).name} is missing; "
                "run the separation again"
            )
    return TakeDir(take, media)


def _check_dest(
    dest: Path, fmt: OutputFormat, source: AudioSource, inputs: list[tuple[str, str]]
) -> None:
    check_file_output(
        dest,
        fmt,
        rate=source.sample_rate,
        channels=source.channels,
        seconds=source.duration,
        inputs=inputs,
    )


def _take_inputs(take: Take, folder: Path | None = None) -> list[tuple[str, str]]:
    found = [(f"the take's {role} file", str(path)) for role, path in take.files.items()]
    if folder is not None:
        found.append(("the take's take.json", str(Path(folder) / "take.json")))
    return found


@contextmanager
def _opened(paths: list[str]) -> Iterator[list[AudioSource]]:
    with ExitStack() as stack:
        yield [stack.enter_context(open_audio(p)) for p in paths]


def splice_for(edit: AppliedEdit, rate: int, files: list[AudioSource]) -> Splice:
    start, stop = round(edit.start * rate), round(edit.end * rate)
    fade = min(round(edit.fade_s * rate), (stop - start) // 2)
    if edit.kind == "inpaint":
        return Splice(start, stop, fade, ((files[0], 1.0),), equal_power=True)
    target_gain, residual_gain = edit.gains()
    return Splice(start, stop, fade, ((files[0], target_gain), (files[1], residual_gain)))


def _roles(edit: AppliedEdit) -> tuple[str, ...]:
    return ("inpainted",) if edit.kind == "inpaint" else ("target", "residual")


def remix_take(
    folder: Path,
    dest: Path,
    fmt: OutputFormat,
    *,
    target_gain_db: float = 0.0,
    residual_gain_db: float | None = None,
    time_range: tuple[float, float] | None = None,
    fade_s: float = 0.02,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> Path:
    """The source with the take remixed over the range (the whole file without one)."""
    take_dir = read_take_dir(folder)
    take = take_dir.take
    with open_audio(take_dir.media_path) as source:
        inputs = [("the source recording", take_dir.media_path), *_take_inputs(take, folder)]
        _check_dest(dest, fmt, source, inputs)
        start, end = time_range or (0.0, source.duration)
        edit = AppliedEdit(
            take.id,
            start,
            end,
            target_gain_db=target_gain_db,
            residual_gain_db=residual_gain_db,
            fade_s=fade_s if time_range else 0.0,
        ).validate(source.duration)
        if "target" not in take.files:
            raise InputError(f"{folder}: this take has no target/residual to remix")
        with _opened([take.files[r] for r in _roles(edit)]) as files:
            splice = splice_for(edit, source.sample_rate, files)
            return render(source, [splice], dest, fmt, progress=progress, cancel=cancel)


def export_state(
    state: ProjectState,
    dest: Path,
    fmt: OutputFormat,
    *,
    what: str = "edited",
    take_id: str | None = None,
    project_files: tuple[str, ...] = (),
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> Path:
    """`edited`: the source with every applied edit; `target`/`residual`: a take's file.
    `project_files` (the project, its autosave) are inputs too: never written over."""
    if state.media is None:
        raise InputError("the project has no media to export")
    with open_audio(state.media.path) as source:
        inputs = [("the project's source recording", state.media.path)]
        inputs += [item for take in state.takes for item in _take_inputs(take)]
        inputs += [("the project file", p) for p in project_files]
        _check_dest(dest, fmt, source, inputs)
        if what in ("target", "residual", "inpainted"):
            take = state.take(take_id) if take_id else state.current_take
            if take is None or what not in take.files:
                raise InputError(f"no take with a {what} file; choose a take (--take ID)")
            with open_audio(take.files[what]) as part:
                whole = Splice(0, source.frames, 0, ((part, 1.0),))
                return render(source, [whole], dest, fmt, progress=progress, cancel=cancel)
        if what != "edited":
            raise InputError(f"cannot export {what!r}: choose edited, target or residual")
        paths = [state.take(e.take_id).files[r] for e in state.edits for r in _roles(e)]
        with _opened(paths) as files:
            splices, i = [], 0
            for edit in state.edits:
                n = len(_roles(edit))
                splices.append(splice_for(edit, source.sample_rate, files[i : i + n]))
                i += n
            return render(source, splices, dest, fmt, progress=progress, cancel=cancel)


def export_take(
    folder: Path,
    dest: Path,
    fmt: OutputFormat,
    *,
    what: str | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> Path:
    """One file of a take folder (`target`, `residual` or `inpainted`; by default the target,
    or the inpainted audio of an inpainting take) in any format and rate."""
    take = read_take_dir(folder).take
    role = what or ("target" if "target" in take.files else "inpainted")
    if role not in take.files:
        have = ", ".join(sorted(take.files))
        raise InputError(
            f"{folder}: this take has no {role} file (it has: {have}); "
            "choose one of those with --what"
        )
    with open_audio(take.files[role]) as part:
        _check_dest(dest, fmt, part, _take_inputs(take, folder))
        return render(part, [], dest, fmt, progress=progress, cancel=cancel)
