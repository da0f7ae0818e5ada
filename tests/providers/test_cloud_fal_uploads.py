"""fal's storage uploads against the fake cloud: single, multipart, streamed from disk, retried."""

from __future__ import annotations

import tracemalloc

import numpy as np
from fal_cases import TEXT, run

from fakecloud.testing import noise, write_wav
from isolde.providers.base import Request
from isolde.providers.fal.storage import MULTIPART_THRESHOLD, PART_SIZE
from isolde.providers.media_prep import UploadFile


# -- uploads ---------------------------------------------------------------------------------
def test_multipart_upload_above_the_threshold(fal, cloud, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert (MULTIPART_THRESHOLD, PART_SIZE) == (100 * 2**20, 10 * 2**20)  # the real defaults
    fal.multipart_threshold, fal.part_size = 200_000, 64 * 1024
    media = write_wav(tmp_path / "big.wav", noise(4.0, 48000, channels=2))  # 1.5 MB
    run(fal, Request(TEXT, str(media), prompt="x"), tmp_path)
    parts = cloud.hits_to("/multipart/", "PUT")
    assert len(parts) == -(-media.stat().st_size // (64 * 1024))
    assert [int(h.path.rsplit("/", 1)[1]) for h in parts] == list(range(1, len(parts) + 1))
    assert all(int(h.headers["content-length"]) <= 64 * 1024 for h in parts)
    assert (
        len(cloud.hits_to("/complete", "POST")) == 1
        and not cloud.hits_to("files/upload", "POST")[1:]
    )
    stored = next(f for f in cloud.files.values() if f.name == "big.wav")
    assert stored.path.read_bytes() == media.read_bytes()


def test_uploads_stream_from_disk(fal, cloud, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "blob.wav"
    path.write_bytes(np.random.default_rng(1).bytes(12 * 2**20))
    storage = fal.storage()
    storage.multipart_threshold, storage.part_size = 2**20, 256 * 1024
    file = UploadFile(path, "audio/wav", path.stat().st_size)
    with fal.open_session() as session:
        storage.token(session)
        tracemalloc.start()
        storage.upload(session, file)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 3 * 2**20, f"uploading 12 MiB peaked at {peak / 2**20:.1f} MiB"


def test_dropped_upload_is_sent_again(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cloud.faults.script["fal.upload"] = ["drop", 503]
    cloud.faults.script["fal.token"] = [502]
    result, _ = run(fal, Request(TEXT, str(wav), prompt="x"), tmp_path)
    assert len(cloud.hits_to("files/upload")) == 3 and result.files["target"].exists()


def test_file_names_are_sent_as_plain_ascii(fal, cloud, tmp_path) -> None:  # type: ignore[no-untyped-def]
    media = write_wav(tmp_path / "tést 1 (final).wav", noise(0.5))
    run(fal, Request(TEXT, str(media), prompt="x"), tmp_path)
    [upload] = cloud.hits_to("/fal/cdn/files/upload")
    assert upload.headers["x-fal-file-name"] == "t_st_1__final_.wav"
