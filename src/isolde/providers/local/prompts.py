"""What the offline engine can make of a text prompt: speech words, hum words, and nothing else.

Open-vocabulary prompts ("the dog barking", "the second violin") need a model trained on sounds
and words together; offline, that is out of reach, and the engine says so. What can be mapped:
a prompt naming speech takes the speech path (RNNoise fused with the span background); one
naming mains hum or buzz takes the hum path (the hum is the target). Anything else must come with
exclude spans telling the engine where the target is absent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SPEECH_WORDS = frozenset(
    {
        "speech", "speak", "speaks", "speaking", "speaker", "speakers", "spoken",
        "voice", "voices", "vocal", "vocals", "voiceover", "narration", "narrator",
        "dialogue", "dialog", "dialogues", "talk", "talks", "talking", "talker",
        "conversation", "interview", "presenter", "host", "words", "singer", "singing",
    }
)  # fmt: skip
# "humming" is left out on purpose: a person humming is a voice, not the mains.
HUM_WORDS = frozenset({"hum", "hums", "buzz", "buzzes", "buzzing", "mains", "50hz", "60hz"})
OPEN_VOCABULARY = (
    "open-vocabulary prompts need a cloud engine; offline, only speech words (speech, voice, "
    "speaker, dialogue…) and hum words (hum, buzz, mains) are understood"
)


@dataclass(frozen=True)
class PromptReading:
    path: str | None  # "speech", "hum" or None (the engine cannot follow it)
    words: tuple[str, ...]  # the words that decided it, in order, without repeats


def read_prompt(prompt: str) -> PromptReading:
    """Speech words win over hum words: "the voice over the hum" isolates the voice."""
    tokens = re.findall(r"[a-z0-9]+", prompt.lower())
    speech = tuple(dict.fromkeys(w for w in tokens if w in SPEECH_WORDS))
    if speech:
        return PromptReading("speech", speech)
    hum = tuple(dict.fromkeys(w for w in tokens if w in HUM_WORDS))
    if hum:
        return PromptReading("hum", hum)
    return PromptReading(None, ())


def interpret(prompt: str, has_exclude_spans: bool) -> str | None:
    """A sentence saying how the prompt is taken, or None if the engine cannot follow it."""
    reading = read_prompt(prompt)
    words = ", ".join(reading.words)
    if reading.path == "speech":
        return (
            f"prompt {prompt!r} read as speech ({words}): keeping the voice, removing the "
            "background (RNNoise's speech estimate fused with the measured background)"
        )
    if reading.path == "hum":
        return (
            f"prompt {prompt!r} read as mains hum ({words}): the target is the hum (50/60 Hz and "
            "its harmonics); to remove it, turn the target down in the remix"
        )
    if has_exclude_spans:
        return (
            f"the offline engine cannot follow the prompt {prompt!r} by itself "
            f"({OPEN_VOCABULARY}); separating by the exclude spans instead (the target is taken "
            "to be what they lack)"
        )
    return None


def cannot_follow(prompt: str) -> str:
    shown = prompt.strip() or "(empty)"
    return (
        f"the offline engine cannot follow the prompt '{shown}' ({OPEN_VOCABULARY}); mark where "
        "the target is absent with exclude spans, or use a cloud engine"
    )
