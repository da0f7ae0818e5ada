"""What the offline engine can make of a text prompt: speech words, and nothing else.

Open-vocabulary prompts need a model; offline, a prompt naming speech maps to the same
foreground-versus-steady-background separation that spans drive. Anything else must come with
exclude spans telling the engine where the target is absent.
"""

from __future__ import annotations

import re

SPEECH_WORDS = frozenset(
    {
        "speech", "speak", "speaks", "speaking", "speaker", "speakers", "spoken",
        "voice", "voices", "vocal", "vocals", "voiceover", "narration", "narrator",
        "dialogue", "dialog", "dialogues", "talk", "talks", "talking", "talker",
        "conversation", "interview", "presenter", "host", "words", "singer", "singing",
    }
)  # fmt: skip


def speech_words_in(prompt: str) -> list[str]:
    """The speech words a prompt contains, in order (lower case)."""
    return [w for w in re.findall(r"[a-z]+", prompt.lower()) if w in SPEECH_WORDS]


def interpret(prompt: str, has_exclude_spans: bool) -> str | None:
    """A sentence saying how the prompt is taken, or None if the engine cannot follow it."""
    words = speech_words_in(prompt)
    if words:
        return (
            f"prompt {prompt!r} read as speech ({', '.join(dict.fromkeys(words))}): keeping the "
            "foreground and removing the steady background"
        )
    if has_exclude_spans:
        return (
            f"the offline engine cannot follow the prompt {prompt!r} by itself; separating by "
            "the exclude spans instead (the target is taken to be what they lack)"
        )
    return None


def cannot_follow(prompt: str) -> str:
    shown = prompt.strip() or "(empty)"
    return (
        f"the offline engine cannot follow the prompt '{shown}'; mark where the target is absent "
        "with exclude spans, or use a cloud engine"
    )
