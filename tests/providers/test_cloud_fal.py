"""fal against the fake cloud: every endpoint and option and what is sent."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fal_cases import INPAINT, SPANS, TEXT, VISUAL, run, submitted

from fakecloud.testing import fast, make_video, noise, read, start_cloud, write_wav
from isolde.audio import OutputFormat
from isolde.core.errors import ValidationError
from isolde.core.spans import InpaintRegion, Span
from isolde.jobs.runner import run_to_take
from isolde.providers.base import Request, RequestKind, TimeRange
from isolde.providers.fal import FalProvider


# -- endpoints and option mapping ------------------------------------------------------------
def test_text_separation_end_to_end(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result, events = run(fal, Request(TEXT, str(wav), prompt="the dog"), tmp_path)
    assert submitted(cloud) == {
        "audio_url": submitted(cloud)["audio_url"],
        "prompt": "the dog",
        "predict_spans": False,
        "reranking_candidates": 1,
        "acceleration": "balanced",
        "max_chunk_duration": 60.0,
        "chunk_overlap": 5.0,
        "output_format": "wav",
    }
    assert cloud.hits_to("/fal/queue/fal-ai/sam-audio/separate")
    x, _ = read(wav)
    target, rate = read(result.files["target"])
    residual, _ = read(result.files["residual"])
    assert rate == 48_000 == result.sample_rate
    np.testing.assert_allclose(target + residual, x, atol=1e-6)
    states = [e.state for e in events]
    assert states[-1] == "done" and "submitted" in states
    assert [e.queue_position for e in events if e.state == "queued"] == [1, 0]
    assert [e.message for e in events if e.state == "log"] == ["loading the model", "separating"]
    assert cloud.hits_to("/status/stream") and not cloud.hits_to("/status", "GET")[1:]
    assert result.provider_request_id and result.cost_usd == 0.05
    upload = cloud.hits_to("/fal/cdn/files/upload")[0]
    assert upload.headers["x-fal-file-name"] == "in.wav"
    assert upload.headers["content-type"] == "audio/wav"
    assert int(upload.headers["content-length"]) == wav.stat().st_size
    assert "transfer-encoding" not in upload.headers


def test_span_separation_maps_spans_and_options(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    spans = (Span(0.0, 2.0, True), Span(1.0, 1.5, False))
    options = {
        "trim_to_span": "false",
        "use_sound_activity_ranking": "true",
        "reranking_candidates": "2",
        "acceleration": "quality",
    }
    request = Request(SPANS, str(wav), prompt="voice", spans=spans, options=options)
    result, _ = run(fal, request, tmp_path)
    body = submitted(cloud)
    assert body["spans"] == [
        {"start": 0.0, "end": 1.0, "include": True},
        {"start": 1.0, "end": 1.5, "include": False},
        {"start": 1.5, "end": 2.0, "include": True},
    ]
    assert body["prompt"] == "voice" and body["use_sound_activity_ranking"] is True
    assert body["trim_to_span"] is False and body["reranking_candidates"] == 2
    assert "predict_spans" not in body
    target, _ = read(result.files["target"])
    assert np.all(target[int(1.0 * 48000) + 1 : int(1.5 * 48000) - 1] == 0)  # the exclude span
    assert result.cost_usd == 0.075  # one 30 s unit, one extra candidate


def test_every_sam_option_reaches_fal(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    options = {
        "predict_spans": "yes",
        "acceleration": "fast",
        "max_chunk_duration": "30",
        "chunk_overlap": "2.5",
        "output_format": "mp3",
        "reranking_candidates": "4",
    }
    result, _ = run(fal, Request(TEXT, str(wav), prompt="x", options=options), tmp_path)
    body = submitted(cloud)
    assert {k: body[k] for k in options} == {
        "predict_spans": True,
        "acceleration": "fast",
        "max_chunk_duration": 30.0,
        "chunk_overlap": 2.5,
        "output_format": "mp3",
        "reranking_candidates": 4,
    }
    assert result.files["target"].suffix == ".mp3"
    assert read(result.files["target"])[0].shape[0] > 3 * 48000 * 0.9


def test_visual_separation_uploads_video_and_mask(fal, cloud, tmp_path) -> None:  # type: ignore[no-untyped-def]
    video, mask = make_video(tmp_path / "clip.mp4"), make_video(tmp_path / "mask.mp4", shade=0)
    request = Request(
        VISUAL,
        str(video),
        prompt="",
        video_path=str(video),
        mask_path=str(mask),
        options={"acceleration": "fast"},
    )
    result, _ = run(fal, request, tmp_path)
    body = submitted(cloud)
    assert set(body) == {
        "video_url",
        "mask_video_url",
        "prompt",
        "reranking_candidates",
        "acceleration",
        "max_chunk_duration",
        "chunk_overlap",
        "output_format",
    }
    assert body["video_url"].endswith("/clip.mp4") and body["mask_video_url"].endswith("/mask.mp4")
    uploads = cloud.hits_to("/fal/cdn/files/upload")
    assert [h.headers["content-type"] for h in uploads] == ["video/mp4", "video/mp4"]
    assert len(cloud.hits_to("storage/auth/token")) == 1  # the token is reused
    assert read(result.files["target"])[0].shape[0] > 40000


@pytest.mark.parametrize(
    "variant",
    ["small/sfx", "small/music", "medium", "medium/base", "small/sfx/base", "small/music/base"],
)
def test_inpaint_endpoints_and_options(fal, cloud, wav, tmp_path, variant) -> None:  # type: ignore[no-untyped-def]
    region = InpaintRegion(1.0, 1.5, "a door slam", negative_prompt="hiss", seed=7, steps=12)
    options = {
        "variant": variant,
        "negative_prompt": "ignored",
        "guidance_scale": "3.5",
        "bitrate": "320k",
        "output_format": "flac",
        "enable_safety_checker": "false",
        "enable_prompt_expansion": "true",
    }
    request = Request(INPAINT, str(wav), prompt="a door slam", region=region, options=options)
    result, _ = run(fal, request, tmp_path)
    assert cloud.hits_to(f"/fal/queue/fal-ai/stable-audio-3/{variant}/audio-inpainting")
    assert submitted(cloud) == {
        "audio_url": submitted(cloud)["audio_url"],
        "prompt": "a door slam",
        "mask_start_seconds": 1.0,
        "mask_end_seconds": 1.5,
        "output_format": "flac",
        "bitrate": "320k",
        "negative_prompt": "hiss",
        "seed": 7,
        "num_inference_steps": 12,
        "guidance_scale": 3.5,
        "enable_prompt_expansion": True,
        "enable_safety_checker": False,
    }
    assert list(result.files) == ["inpainted"] and result.files["inpainted"].suffix == ".flac"
    assert result.details["seed"] == 7
    assert result.cost_usd == (0.0537 if variant == "medium/base" else None)


def test_inpaint_defaults_are_left_to_fal(fal, cloud, wav, tmp_path) -> None:  # type: ignore[no-untyped-def]
    request = Request(INPAINT, str(wav), region=InpaintRegion(1.0, 1.2, "birdsong"))
    run(fal, request, tmp_path)
    body = submitted(cloud)
    assert set(body) == {
        "audio_url",
        "prompt",
        "mask_start_seconds",
        "mask_end_seconds",
        "output_format",
        "bitrate",
    }


def test_cloud_inpaint_sends_only_the_region_and_context(cloud, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fakecloud.testing import fast_classes

    fast_classes(monkeypatch)
    x = noise(30.0, 48000, channels=2, seed=5)
    media = write_wav(tmp_path / "long.wav", x)
    request = Request(
        INPAINT,
        str(media),
        prompt="rain",
        region=InpaintRegion(10.0, 11.0, "rain"),
        options={"output_format": "wav"},
    )
    outcome = run_to_take(FalProvider(), request, tmp_path / "o", OutputFormat())
    body = submitted(cloud)
    assert (body["mask_start_seconds"], body["mask_end_seconds"]) == (5.0, 6.0)
    [upload] = cloud.hits_to("/fal/cdn/files/upload")
    [sent] = [f for f in cloud.files.values() if f.name == upload.headers["x-fal-file-name"]]
    assert read(sent.path)[0].shape[0] == 11 * 48000  # region ± 5 s
    fixed, _ = read(outcome.outputs["inpainted"])
    keep = np.r_[0 : int(9.9 * 48000), int(11.1 * 48000) : len(x)]
    np.testing.assert_allclose(fixed[keep], x[keep], atol=1e-6)
    assert not np.allclose(
        fixed[int(10.2 * 48000) : int(10.8 * 48000)], x[int(10.2 * 48000) : int(10.8 * 48000)]
    )
    take = json.loads(outcome.take_file.read_text())
    assert take["take"]["request"]["selection"] == {"start": 10.0, "end": 11.0}


@pytest.mark.parametrize(
    ("request_kw", "field"),
    [
        ({"kind": TEXT, "prompt": " "}, "prompt"),
        (
            {"kind": TEXT, "prompt": "x", "options": {"output_format": "flac"}},
            "option output_format",
        ),
        ({"kind": TEXT, "prompt": "x", "options": {"chunk_overlap": "60"}}, "option chunk_overlap"),
        (
            {"kind": TEXT, "prompt": "x", "options": {"reranking_candidates": "9"}},
            "option reranking_candidates",
        ),
        ({"kind": SPANS, "spans": (Span(0, 1, False),)}, "spans"),
        (
            {"kind": SPANS, "spans": (Span(0, 1),), "options": {"reranking_candidates": "2"}},
            "option reranking_candidates",
        ),
        (
            {
                "kind": SPANS,
                "spans": (Span(0, 1),),
                "options": {"trim_to_span": "1"},
                "selection": TimeRange(0, 2),
            },
            "option trim_to_span",
        ),
        ({"kind": VISUAL}, "video"),
        ({"kind": INPAINT, "region": InpaintRegion(0.5, 1, "")}, "prompt"),
        (
            {"kind": INPAINT, "region": InpaintRegion(0.5, 1, "x"), "options": {"bitrate": "fast"}},
            "option bitrate",
        ),
        (
            {
                "kind": INPAINT,
                "prompt": "x",
                "region": InpaintRegion(0.5, 1, "x"),
                "options": {"predict_spans": "1"},
            },
            "option predict_spans",
        ),
    ],
)
def test_bad_requests_are_refused_before_any_network_call(
    fal, cloud, wav, tmp_path, request_kw, field
) -> None:  # type: ignore[no-untyped-def]
    request = Request(media_path=str(wav), **request_kw)
    with pytest.raises(ValidationError) as exc:
        fal.run(request, tmp_path / "w")
    assert field in exc.value.problems
    assert cloud.hits == []


def test_inpaint_window_must_fit_the_model(fal, cloud, tmp_path) -> None:  # type: ignore[no-untyped-def]
    region = InpaintRegion(10.0, 125.0, "x")
    request = Request(INPAINT, "x.wav", region=region, selection=TimeRange(10.0, 125.0))
    with pytest.raises(ValidationError, match="120 s"):
        fal.validate(request, 200.0)
    fal.validate(
        Request(
            INPAINT,
            "x.wav",
            region=region,
            selection=TimeRange(10.0, 125.0),
            options={"variant": "medium"},
        ),
        200.0,
    )


def test_a_stereo_source_gets_a_stereo_take_unless_mono_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud = start_cloud(monkeypatch)
    try:
        source = write_wav(tmp_path / "stereo.wav", noise(2.0, channels=2), rate=44_100)
        request = Request(RequestKind.TEXT, str(source), prompt="the hiss")
        matched = run_to_take(fast(FalProvider()), request, tmp_path / "a", OutputFormat())
        target, rate = read(matched.outputs["target"])
        residual, _ = read(matched.outputs["residual"])
        mix, _ = read(source)
        assert rate == 44_100 and target.shape == mix.shape  # SAM's mono 48 kHz, matched
        np.testing.assert_allclose(target + residual, mix, atol=1e-5)
        mono = run_to_take(
            fast(FalProvider()), request, tmp_path / "b", OutputFormat(), keep_mono=True
        )
        assert read(mono.outputs["target"])[0].shape[1] == 1
    finally:
        cloud.stop()
