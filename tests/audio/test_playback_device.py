"""The real sounddevice path, through ALSA's null device, and the no-output cases.

Each check runs in a fresh interpreter: importing sounddevice initialises PortAudio, which
reads the ALSA configuration once, so the `$XDG_CONFIG_HOME/alsa/asoundrc` that the suite's
conftest writes must be in the environment before that import. A subprocess guarantees it
(and keeps the null device's unpaced callback thread out of the test process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

LANE = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    from isolde.audio.info import AudioInfo
    from isolde.audio.source import AudioSource

    RATE = 44100
    wave = (0.1 * np.sin(np.arange(RATE * 2) * 0.05)).astype(np.float32)[:, None]
    SOURCE = AudioSource(AudioInfo("mem", RATE, 1, len(wave), "RAW", "FLOAT"), wave)
    """
)

REAL_PATH = LANE + textwrap.dedent(
    """
    from isolde.audio.device import SoundDeviceBackend, output_devices
    from isolde.audio.playback import Player

    def watch(player, seconds):
        seen, end = [], time.monotonic() + seconds
        while player.playing and time.monotonic() < end:
            seen.append(player.position)
            time.sleep(0.002)
        return seen

    out = {"devices": output_devices()}
    backend = SoundDeviceBackend()
    player = Player(backend=backend, blocksize=512)
    player.set_sources({"original": SOURCE}, RATE, 1)
    out["error"] = player.error
    out["latency"] = backend.latency
    player.play(0.0, stop_s=1.5)
    out["running"] = backend.running
    out["span"] = watch(player, 10.0)
    out["span_end"] = player.position
    player.play(0.5, loop=(0.5, 0.7))
    out["loop"] = watch(player, 0.3)
    out["loop_playing"] = player.playing
    player.stop()
    out["after_stop"] = player.position
    time.sleep(0.3)
    out["stopped_when_idle"] = not backend.running
    player.set_device(99)
    out["set_missing_device"] = player.error
    player.set_device(None)
    out["set_default_device"] = [player.error, player.position]
    player.close()
    out["closed"] = not backend.running

    out["missing"] = []
    for device in (99, "no such device"):
        other = Player(device=device)
        other.set_sources({"original": SOURCE}, RATE, 1)
        other.play(0.0)
        out["missing"].append([other.error, other.playing])
        other.close()
    print(json.dumps(out))
    """
)

BLOCKED = (
    textwrap.dedent(
        """
    import importlib.abc, sys

    class NoPortAudio(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "sounddevice":  # what sounddevice does without libportaudio2
                raise OSError("PortAudio library not found")
            return None

    sys.meta_path.insert(0, NoPortAudio())
    import isolde.audio, isolde.audio.playback
    """
    )
    + LANE
    + textwrap.dedent(
        """
    from isolde.audio.device import output_devices
    from isolde.audio.playback import Player

    player = Player()
    player.set_sources({"original": SOURCE}, RATE, 1)
    player.play(0.25)
    player.seek(1.0)
    print(json.dumps({"devices": output_devices(), "error": player.error,
                      "playing": player.playing, "position": player.position}))
    player.close()
    """
    )
)

NO_CARD = LANE + textwrap.dedent(
    """
    from isolde.audio.device import output_devices
    from isolde.audio.playback import Player

    player = Player()
    player.set_sources({"original": SOURCE}, RATE, 1)
    player.play(0.0)
    print(json.dumps({"devices": output_devices(), "error": player.error,
                      "playing": player.playing}))
    player.close()
    """
)


def run(script: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_real_callback_runs_through_the_alsa_null_device() -> None:
    out = run(REAL_PATH)
    assert [d["name"] for d in out["devices"] if d["default"]] == ["default"]
    assert out["error"] is None and out["latency"] > 0
    assert out["running"]
    span = out["span"]
    assert span and span == sorted(span)  # the playhead only moves forward
    assert out["span_end"] == 1.5  # the callback played the span to its end
    assert out["loop"] and all(0.5 <= t <= 0.7 for t in out["loop"])
    assert out["loop_playing"] and out["after_stop"] == 0.5
    assert out["stopped_when_idle"] and out["closed"]
    assert "no output device 99" in out["set_missing_device"]
    assert out["set_default_device"] == [None, 0.5]  # back on a device, same place
    for error, playing in out["missing"]:
        assert error.startswith("No sound output: there is no output device")
        assert error.endswith("Playback is off; everything else works.")
        assert not playing


def test_without_portaudio_playback_is_off_and_nothing_breaks() -> None:
    out = run(BLOCKED)
    assert out["devices"] == []
    assert out["error"].startswith("No sound output: the PortAudio library is missing")
    assert "libportaudio2" in out["error"]
    assert not out["playing"] and out["position"] == 1.0


def test_a_machine_without_a_sound_card_gets_a_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "XDG_CONFIG_HOME"}
    env["HOME"] = str(tmp_path)  # no ~/.asoundrc either: ALSA's stock configuration
    out = run(NO_CARD, env)
    if out["devices"]:
        pytest.skip("this machine has a real sound card")
    assert out["error"] == (
        "No sound output: no output device was found. Playback is off; everything else works."
    )
    assert not out["playing"]
