"""A fast fingerprint of a media file's bytes, used to key the decode cache and by projects.

Hashing a 2 GB recording in full takes seconds and would make opening it slow, so large files
are sampled: their size plus the first and last MiB and 32 evenly spaced 64 KiB blocks. Any
re-export, trim or append changes the size or the head/tail; an in-place edit of the same
length in an unsampled region would go unnoticed, which is why the cache key also includes
the file's mtime. Small files are hashed whole.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from isolde.core.errors import AudioFileError

_WHOLE_FILE_LIMIT = 8 * 1024 * 1024
_EDGE = 1024 * 1024
_BLOCK = 64 * 1024
_BLOCKS = 32
_PREFIX = "blake2b-sampled:"


def _sample_offsets(size: int) -> list[tuple[int, int]]:
    """(offset, length) of every byte range that goes into the hash of a large file."""
    ranges = [(0, _EDGE), (size - _EDGE, _EDGE)]
    span = size - _BLOCK
    ranges += [(span * i // (_BLOCKS - 1), _BLOCK) for i in range(_BLOCKS)]
    return ranges


def is_content_hash(value: str) -> bool:
    """Whether `value` was made by `content_hash` (so a file can be checked against it)."""
    return value.startswith(_PREFIX)


def content_hash(path: str | os.PathLike[str]) -> str:
    """ "blake2b-sampled:<hex>" over the file size and its (sampled) contents."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            digest.update(size.to_bytes(8, "little"))
            if size < _WHOLE_FILE_LIMIT:
                digest.update(f.read())
            else:
                for offset, length in _sample_offsets(size):
                    f.seek(offset)
                    digest.update(f.read(length))
    except OSError as exc:
        raise AudioFileError(
            Path(path), f"cannot read the file to identify it: {exc.strerror or exc}"
        ) from exc
    return _PREFIX + digest.hexdigest()
