"""Which lanes sound while auditioning a comparison's tries (pure: no Qt, no audio)."""

from __future__ import annotations

from isolde.ui.results.compare_listen import is_try_lane, try_heard, try_settings
from isolde.ui.results.listen_mix import ORIGINAL, REMIX, RESIDUAL, TARGET, Listening

LANES = ["original", "target", "residual", "c1.target", "c1.residual", "c2.target", "c2.residual"]


def _soloed(listening: Listening, index: int) -> set[str]:
    return {n for n, s in try_settings(listening, index, LANES).items() if s.solo}


def test_only_the_chosen_try_sounds_in_each_mode() -> None:
    assert _soloed(Listening().with_mode(TARGET), 1) == {"c2.target"}
    assert _soloed(Listening().with_mode(RESIDUAL), 0) == {"c1.residual"}
    assert _soloed(Listening().with_mode(REMIX), 1) == {"c2.target", "c2.residual"}
    assert _soloed(Listening().with_mode(ORIGINAL), 1) == {"original"}


def test_remix_gains_and_mutes_apply_to_every_try_alike() -> None:
    listening = Listening(target_gain_db=-3.0, residual_gain_db=-12.0).with_mode(REMIX)
    settings = try_settings(listening.with_mute(RESIDUAL, True), 0, LANES)
    assert settings["c1.target"].gain_db == settings["c2.target"].gain_db == -3.0
    assert settings["c2.residual"].gain_db == -12.0
    assert settings["c1.residual"].mute and not settings["c1.target"].mute
    assert not settings["target"].solo  # the take lanes fall silent while a try is heard


def test_a_try_without_its_files_falls_back_to_the_original() -> None:
    assert try_heard(Listening().with_mode(TARGET), 5, LANES) == {"original"}
    assert is_try_lane("c12.target") and not is_try_lane("b.target") and not is_try_lane("cat")
