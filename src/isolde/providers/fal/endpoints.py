"""fal's endpoints and options: which endpoint serves a request, and the input JSON it gets.

Schemas: the seeds (span-separate, visual-separate, stable-audio-3 inpainting) and PROVIDERS.md.
Options that are None are left out, so fal applies its own default (which for Stable Audio
depends on the checkpoint: 8 steps and guidance 1 distilled, 50 and 7 on `…/base`).
"""

from __future__ import annotations

import math
import re
from typing import Any

from isolde.core.spans import effective_spans
from isolde.providers.base import OptionSpec, Request, RequestKind

TEXT, SPANS, VISUAL, INPAINT = (
    RequestKind.TEXT,
    RequestKind.SPANS,
    RequestKind.VISUAL,
    RequestKind.INPAINT,
)
SAM = (TEXT, SPANS, VISUAL)
SAM_ENDPOINTS = {
    TEXT: "fal-ai/sam-audio/separate",
    SPANS: "fal-ai/sam-audio/span-separate",
    VISUAL: "fal-ai/sam-audio/visual-separate",
}
# Stable Audio 3 checkpoints on fal; "/base" ones are the non-distilled checkpoints.
VARIANTS = (
    "small/sfx",
    "small/sfx/base",
    "small/music",
    "small/music/base",
    "medium",
    "medium/base",
)
# Longest clip each model takes (Stability's model card: small 120 s, medium 380 s).
VARIANT_MAX_S = {"small": 120.0, "medium": 380.0}
SAM_FORMATS = ("wav", "mp3")
INPAINT_FORMATS = ("wav", "flac", "mp3", "ogg", "opus", "m4a", "aac")

# Published prices, fal.ai model pages, recorded 2026-11-21 (PROVIDERS.md): SAM Audio bills
# $0.05 per 30 s of output audio, plus $0.025 per 30 s for each reranking candidate beyond the
# first; we round the output up to whole 30 s units, so the estimate errs high.
SAM_USD_PER_30S = 0.05
SAM_RERANK_USD_PER_30S = 0.025
# fal's llms.txt page for stable-audio-3/medium/base/audio-inpainting: $0.0537 per audio
# (recorded 2026-11-21). The other checkpoints' prices were not published where we looked.
INPAINT_USD = {"medium/base": 0.0537}

OPTIONS = (
    OptionSpec(
        "reranking_candidates",
        int,
        1,
        "candidates generated and ranked; more is "
        "better, slower and dearer (text or span requests need a prompt for it)",
        minimum=1,
        maximum=4,
        kinds=SAM,
    ),
    OptionSpec(
        "acceleration",
        str,
        "balanced",
        "speed against quality",
        choices=("fast", "balanced", "quality"),
        kinds=SAM,
    ),
    OptionSpec(
        "predict_spans",
        bool,
        False,
        "let the model find where the prompt's sound is",
        kinds=(TEXT,),
    ),
    OptionSpec(
        "trim_to_span",
        bool,
        False,
        "return only the spans' stretch instead of the whole length",
        kinds=(SPANS,),
    ),
    OptionSpec(
        "use_sound_activity_ranking",
        bool,
        None,
        "rank candidates by sound activity inside the spans",
        kinds=(SPANS,),
    ),
    OptionSpec(
        "max_chunk_duration",
        float,
        60.0,
        "fal processes long audio in chunks of at most this many seconds",
        minimum=5.0,
        maximum=600.0,
        kinds=SAM,
    ),
    OptionSpec(
        "chunk_overlap",
        float,
        5.0,
        "seconds shared by fal's neighbouring chunks",
        minimum=0.0,
        maximum=60.0,
        kinds=SAM,
    ),
    OptionSpec(
        "output_format",
        str,
        "wav",
        "format fal returns (SAM Audio: wav or mp3); lossless keeps target + residual exact",
        choices=INPAINT_FORMATS,
    ),
    OptionSpec(
        "variant",
        str,
        "small/sfx",
        "Stable Audio 3 checkpoint for inpainting",
        choices=VARIANTS,
        kinds=(INPAINT,),
    ),
    OptionSpec(
        "negative_prompt",
        str,
        None,
        "what the regenerated stretch should not sound "
        "like (the region's own negative prompt wins)",
        kinds=(INPAINT,),
    ),
    OptionSpec(
        "num_inference_steps",
        int,
        None,
        "sampling steps (fal's default: 8, or 50 on a /base checkpoint)",
        minimum=1,
        maximum=100,
        kinds=(INPAINT,),
    ),
    OptionSpec(
        "guidance_scale",
        float,
        None,
        "how strictly to follow the prompt (fal's default: 1, or 7 on a /base checkpoint)",
        minimum=0.0,
        maximum=25.0,
        kinds=(INPAINT,),
    ),
    OptionSpec(
        "seed",
        int,
        None,
        "random seed for a repeatable result (the region's seed wins)",
        minimum=0,
        kinds=(INPAINT,),
    ),
    OptionSpec(
        "bitrate", str, "192k", "bitrate for compressed output formats, e.g. 320k", kinds=(INPAINT,)
    ),
    OptionSpec(
        "enable_prompt_expansion", bool, None, "let an LLM expand the prompt", kinds=(INPAINT,)
    ),
    OptionSpec(
        "enable_safety_checker",
        bool,
        None,
        "fal's content safety check (on unless turned off)",
        kinds=(INPAINT,),
    ),
)


def endpoint_for(request: Request, options: dict[str, Any]) -> str:
    if request.kind is INPAINT:
        return f"fal-ai/stable-audio-3/{options['variant']}/audio-inpainting"
    return SAM_ENDPOINTS[request.kind]


def variant_max_s(variant: str) -> float:
    return VARIANT_MAX_S[variant.split("/")[0]]


def problems(request: Request, options: dict[str, Any], selected: bool) -> dict[str, str]:
    """fal-specific rules that the option specs alone cannot express."""
    out: dict[str, str] = {}
    kind = request.kind
    if kind in SAM and options["output_format"] not in SAM_FORMATS:
        out["option output_format"] = "SAM Audio returns wav or mp3"
    if kind in SAM and options["chunk_overlap"] >= options["max_chunk_duration"]:
        out["option chunk_overlap"] = "must be shorter than max_chunk_duration"
    if kind is TEXT and not request.prompt.strip():
        out["prompt"] = "text separation needs a prompt describing the sound"
    if kind is SPANS and not any(s.include for s in request.spans):
        out["spans"] = "span separation needs at least one include span (where the sound is)"
    if kind is SPANS and options["reranking_candidates"] > 1 and not request.prompt.strip():
        out["option reranking_candidates"] = (
            "fal ranks candidates by the prompt; give a prompt or leave it at 1"
        )
    if kind is SPANS and options["trim_to_span"] and selected:
        out["option trim_to_span"] = (
            "returns only the spans' stretch, which cannot be placed back into a selection; "
            "select the stretch instead"
        )
    if kind is VISUAL and not request.video_path:
        out["video"] = "visual separation needs a video (--video PATH)"
    if kind is INPAINT:
        if request.region is None:
            out["region"] = "an inpaint request needs a region to regenerate"
        elif not (request.prompt.strip() or request.region.prompt.strip()):
            out["prompt"] = "Stable Audio inpainting needs a prompt for the region"
        if not re.fullmatch(r"\d{2,3}k", str(options["bitrate"])):
            out["option bitrate"] = f"write the bitrate like 192k, not {options['bitrate']!r}"
    return out


def sam_input(request: Request, options: dict[str, Any], media_url: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if request.kind is VISUAL:
        body["video_url"] = media_url
        body["prompt"] = request.prompt
    else:
        body["audio_url"] = media_url
        if request.prompt.strip() or request.kind is TEXT:
            body["prompt"] = request.prompt
    if request.kind is SPANS:
        body["spans"] = [
            {"start": s.start, "end": s.end, "include": s.include}
            for s in effective_spans(list(request.spans))
        ]
    names = [
        "reranking_candidates",
        "acceleration",
        "max_chunk_duration",
        "chunk_overlap",
        "output_format",
        "predict_spans",
        "trim_to_span",
        "use_sound_activity_ranking",
    ]
    for name in names:
        spec = next(o for o in OPTIONS if o.name == name)
        if spec.applies_to(request.kind) and options.get(name) is not None:
            body[name] = options[name]
    return body


def inpaint_input(request: Request, options: dict[str, Any], audio_url: str) -> dict[str, Any]:
    region = request.region
    assert region is not None
    body: dict[str, Any] = {
        "audio_url": audio_url,
        "prompt": region.prompt or request.prompt,
        "mask_start_seconds": region.start,
        "mask_end_seconds": region.end,
        "output_format": options["output_format"],
        "bitrate": options["bitrate"],
    }
    chosen = {
        "negative_prompt": region.negative_prompt or options["negative_prompt"],
        "seed": region.seed if region.seed is not None else options["seed"],
        "num_inference_steps": region.steps
        if region.steps is not None
        else options["num_inference_steps"],
        "guidance_scale": options["guidance_scale"],
        "enable_prompt_expansion": options["enable_prompt_expansion"],
        "enable_safety_checker": options["enable_safety_checker"],
    }
    body.update({k: v for k, v in chosen.items() if v not in (None, "")})
    return body


def estimate_usd(request: Request, options: dict[str, Any], duration_s: float) -> float | None:
    if request.kind is INPAINT:
        return INPAINT_USD.get(options["variant"])
    seconds = duration_s
    if request.kind is SPANS and options["trim_to_span"]:
        spans = [s for s in request.spans if s.include]
        seconds = max(s.end for s in spans) - min(s.start for s in spans) if spans else seconds
    units = max(math.ceil(seconds / 30.0 - 1e-9), 1)
    extra = options["reranking_candidates"] - 1
    return round(units * (SAM_USD_PER_30S + extra * SAM_RERANK_USD_PER_30S), 4)
