"""What to write: container, sample depth, MP3 bitrate and output rate."""

from __future__ import annotations

from dataclasses import dataclass

from isolde.core.errors import InputError

_DEPTHS = {"wav": ("16", "24", "float"), "flac": ("16", "24"), "mp3": ()}
_DEFAULT_DEPTH = {"wav": "float", "flac": "24", "mp3": "float"}
MP3_KBPS = (32, 320)
FORMS = "wav, wav:16, wav:24, wav:float, flac, flac:16, flac:24, mp3, mp3:<kbps 32–320>"


@dataclass(frozen=True)
class OutputFormat:
    """An export format. `depth` is ignored for MP3; `sample_rate` None keeps the source rate."""

    container: str = "wav"
    depth: str = "float"
    bitrate_kbps: int = 192
    sample_rate: int | None = None

    def __post_init__(self) -> None:
        if self.container == "flac" and self.depth == "float":
            # FLAC has no float samples; the field's default means "best", which is 24-bit.
            object.__setattr__(self, "depth", "24")
        if self.container not in _DEPTHS:
            raise InputError(f"unknown output format {self.container!r}; use one of: {FORMS}")
        if self.container != "mp3" and self.depth not in _DEPTHS[self.container]:
            allowed = ", ".join(_DEPTHS[self.container])
            raise InputError(
                f"{self.container} cannot be written at depth {self.depth!r}; use {allowed}"
            )
        lo, hi = MP3_KBPS
        if self.container == "mp3" and not lo <= self.bitrate_kbps <= hi:
            raise InputError(f"MP3 bitrate {self.bitrate_kbps} kbps is out of range; use {lo}–{hi}")
        if self.sample_rate is not None and self.sample_rate <= 0:
            raise InputError(f"sample rate must be positive, not {self.sample_rate}")

    @classmethod
    def parse(cls, spec: str, sample_rate: int | None = None) -> OutputFormat:
        """ "wav", "wav:16", "wav:24", "wav:float", "flac", "flac:16", "mp3", "mp3:320"…"""
        container, _, option = spec.strip().lower().partition(":")
        if container not in _DEPTHS or (container == "mp3" and option and not option.isdigit()):
            raise InputError(f"unknown output format {spec!r}; use one of: {FORMS}")
        if container == "mp3":
            kbps = int(option) if option else cls.bitrate_kbps
            return cls("mp3", bitrate_kbps=kbps, sample_rate=sample_rate)
        depth = option or _DEFAULT_DEPTH[container]
        if depth not in _DEPTHS[container]:
            raise InputError(f"unknown output format {spec!r}; use one of: {FORMS}")
        return cls(container, depth=depth, sample_rate=sample_rate)

    @property
    def extension(self) -> str:
        return f".{self.container}"

    def __str__(self) -> str:
        if self.container == "mp3":
            return f"mp3:{self.bitrate_kbps}"
        return f"{self.container}:{self.depth}"
