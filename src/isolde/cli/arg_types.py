"""Argument types for the `isolde` parsers: a malformed or out-of-range value on the command
line is a usage error (exit 2, argparse's message naming the flag), never a traceback.

What can only be judged against a file (a span past the end of the media, MP3 at a source's
192 kHz) is checked later and is bad input (exit 3).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from isolde.audio.file_checks import MAX_RATE, MIN_RATE
from isolde.core.errors import InputError
from isolde.core.timecode import parse_range


def provider_name(text: str) -> str:
    """A known engine name (`isolde providers` lists them)."""
    from isolde.providers.registry import provider_names

    names = provider_names()
    if text not in names:
        raise argparse.ArgumentTypeError(
            f"unknown provider {text!r}; choose one of: {', '.join(names)}"
        )
    return text


FORMATS_HELP = (
    "wav | wav:16 | wav:24 | wav:float | flac | flac:16 | mp3 | mp3:320 "
    "(default: wav, 32-bit float)"
)


def add_format_arg(p: argparse.ArgumentParser, help: str = FORMATS_HELP) -> None:
    """--format FMT, wav when not given."""
    p.add_argument("--format", default="wav", type=format_spec, metavar="FMT", help=help)


def add_rate_arg(p: argparse.ArgumentParser) -> None:
    """--rate HZ, the source's when not given."""
    p.add_argument(
        "--rate",
        type=sample_rate,
        metavar="HZ",
        help="sample rate, 1000–768000 (default: the source's)",
    )


def format_spec(text: str) -> str:
    """An output format such as wav, wav:16, flac, mp3:320 (kept as text, checked here)."""
    from isolde.audio import OutputFormat

    try:
        OutputFormat.parse(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def sample_rate(text: str) -> int:
    """A sample rate in Hz, 1000–768000."""
    try:
        rate = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a sample rate; give whole hertz, e.g. 48000"
        ) from None
    if not MIN_RATE <= rate <= MAX_RATE:
        raise argparse.ArgumentTypeError(
            f"{rate} Hz is outside {MIN_RATE}–{MAX_RATE} Hz; e.g. 44100 or 48000"
        )
    return rate


def _number(text: str, what: str, example: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number; {what}, e.g. {example}"
        ) from None
    if math.isnan(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; {what}, e.g. {example}")
    return value


def gain_db(lo: float, hi: float, *, allow_silent: bool) -> Callable[[str], float]:
    """A gain in dB within [lo, hi]; with `allow_silent`, also -inf (silent)."""

    def parse(text: str) -> float:
        what = f"a gain in dB from {lo:g} to +{hi:g}"
        what += " or -inf (silent)" if allow_silent else ""
        value = _number(text, what, "-6")
        if allow_silent and math.isinf(value) and value < 0:
            return value
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{text} dB is out of range; give {what}")
        return value

    parse.__name__ = "gain"
    return parse


def fraction(text: str) -> float:
    """A number from 0 to 1."""
    value = _number(text, "a number from 0 to 1", "0.3")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is outside 0–1; e.g. 0.3")
    return value


def whole(lo: int, hi: int, example: str) -> Callable[[str], int]:
    """A whole number in [lo, hi]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number; e.g. {example}"
            ) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is out of range; give {lo}–{hi}")
        return value

    parse.__name__ = "whole number"
    return parse


def typed_range(flag: str, text: str) -> tuple[float, float]:
    """`A-B` as typed after `flag`. An inverted one is bad input (exit 3, as the span rules
    would say) with the fix a terminal user can make: the core rule names no gesture."""
    start, end = parse_range(text)
    noun = {"--region": "region", "--range": "range"}.get(flag, "span")
    if not start < end:
        first, _, second = text.partition("-")
        raise InputError(
            f"{flag} {text}: {noun} start ({start:g} s) must be before end ({end:g} s) — write "
            f"the earlier time first, e.g. {flag} {second.strip()}-{first.strip()}"
        )
    return start, end
