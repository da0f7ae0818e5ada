"""Segmind's sam-audio-large: synchronous, JSON in, the target's audio bytes out."""

from __future__ import annotations

import base64
import binascii
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from . import audio

if TYPE_CHECKING:
    from .httpkit import Exchange
    from .server import FakeCloud, Hit

FIELDS = {"audio", "description", "output_format", "reranking_candidates"}


def _err(status: int) -> dict[str, Any]:
    return {"error": f"scripted failure {status}"}


def handle(cloud: FakeCloud, ex: Exchange, hit: Hit) -> None:
    if ex.path != "/segmind/v1/sam-audio-large" or ex.method != "POST":
        ex.json(404, {"error": "Model or endpoint not found"})
    given = ex.headers.get("x-api-key", "")
    if given != cloud.segmind_key:
        ex.json(401, {"error": f"Unauthorized: invalid API key {given!r}"})
    if "application/json" not in ex.headers.get("content-type", ""):
        ex.json(400, {"error": "Content-Type must be application/json"})
    cloud.scripted(ex, "segmind.run", _err)
    body = ex.json_body()
    hit.json = {k: (v if k != "audio" else f"<{len(str(v))} chars>") for k, v in body.items()}
    problem = _problem(body)
    if problem:
        ex.json(400, {"error": problem})
    if cloud.faults.segmind_credits < 1:
        ex.json(406, {"error": "Insufficient credits to process this request"})
    data = _audio(cloud, str(body["audio"]))
    if data is None:
        ex.json(400, {"error": "audio: could not read the audio (URL unreachable or bad base64)"})
    time.sleep(cloud.faults.segmind_delay_s)  # the synchronous model run
    samples, rate = audio.decode(data)
    target, _, out_rate = audio.split(samples, rate)
    # The model's output is a little longer than the input, as resampling models' often are.
    target = np.concatenate([target, np.zeros(cloud.faults.segmind_pad)])
    payload, ctype, _ = audio.encode(target, out_rate, body.get("output_format", "wav"))
    cloud.faults.segmind_credits -= 1
    headers = {
        "x-remaining-credits": f"{cloud.faults.segmind_credits:.2f}",
        "x-generation-time": "0.05",
        "x-request-id": cloud.new_id("sg-"),
    }
    ex.send(200, payload, ctype, headers)


def _problem(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "body must be a JSON object"
    extra = set(body) - FIELDS
    if extra:
        return f"unknown parameter(s): {', '.join(sorted(extra))}"
    if not isinstance(body.get("audio"), str) or not body["audio"]:
        return "audio is required"
    if not isinstance(body.get("description"), str) or not body["description"].strip():
        return "description is required"
    if body.get("output_format", "wav") not in ("wav", "mp3"):
        return "output_format must be wav or mp3"
    k = body.get("reranking_candidates", 1)
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 8:
        return "reranking_candidates must be an integer from 1 to 8"
    return None


def _audio(cloud: FakeCloud, value: str) -> bytes | None:
    if value.startswith(("http://", "https://")):
        return cloud.resolve(value)
    text = value.partition(",")[2] if value.startswith("data:") else value
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
