"""The `local` provider: offline separation and gap repair, no key and no network.

This wrapper owns files, validation and events; the work lives in the modules it calls
(separation_job for SPANS and TEXT, gap_repair for INPAINT).
"""

from __future__ import annotations

from pathlib import Path

from isolde.audio import AudioWriter, open_audio
from isolde.core.progress import CancelToken
from isolde.core.spans import effective_spans
from isolde.dsp import gap_repair
from isolde.dsp.method_choice import METHOD_HELP, METHODS
from isolde.dsp.sources import FrameSource, PlainReads
from isolde.dsp.wiener import FULL_REDUCTION_DB
from isolde.providers.base import (
    Capabilities,
    EventFn,
    JobEvent,
    OptionSpec,
    Provider,
    ProviderResult,
    Request,
    RequestKind,
    ignore_events,
)
from isolde.providers.local import prompts
from isolde.providers.local.reporting import Reporter
from isolde.providers.local.separation_job import FLOAT_WAV, no_leftovers, run_separation

NOTES = (
    "Separates a sound from its background on this computer. Mark with exclude spans where the "
    "target is absent: the background is measured there and the target is silenced there; "
    "include spans sharpen the target's band. For a voice (found by listening, or named in the "
    "prompt) a speech estimate (DeepFilterNet3, a small network that runs here; RNNoise where "
    "the network is not installed) is fused with that background into one mask, which also "
    "follows a changing background such as a music bed; for other targets a spectral Wiener "
    "gain removes a steady background (noise, hiss, hum, room tone). Without exclude spans the "
    "background is taken from the quietest frames. Text prompts: open vocabulary is out of reach "
    "offline — only speech words (speech, voice, speaker, dialogue…) and hum words (hum, buzz, "
    "mains: the hum becomes the target) are understood. Inpaint: gaps up to 50 ms are predicted "
    "from both sides; longer gaps are filled with matching room tone. It cannot tell one voice "
    "or instrument from another, or regenerate speech or new sounds: use a cloud engine for those."
)


class LocalProvider(Provider):
    name = "local"
    title = "Offline (this computer)"
    capabilities = Capabilities(
        kinds=frozenset({RequestKind.SPANS, RequestKind.TEXT, RequestKind.INPAINT}),
        options=(
            OptionSpec(
                "reduction_db",
                float,
                30.0,
                "how far the background may be pushed down, in dB (12–40 keeps some room tone; "
                f"{FULL_REDUCTION_DB:g} removes it entirely)",
                minimum=6.0,
                maximum=FULL_REDUCTION_DB,
                kinds=(RequestKind.SPANS, RequestKind.TEXT),
            ),
            OptionSpec(
                "method",
                str,
                "auto",
                "; ".join(f"{name}: {text}" for name, text in METHOD_HELP.items()),
                choices=METHODS,
                kinds=(RequestKind.SPANS, RequestKind.TEXT),
                choice_help=tuple(METHOD_HELP[m] for m in METHODS),
            ),
        ),
        key_env=None,
        notes=NOTES,
    )

    def check(self, request: Request, duration_s: float) -> dict[str, str]:
        problems: dict[str, str] = {}
        has_exclude = any(not s.include for s in effective_spans(list(request.spans)))
        if (
            request.kind is RequestKind.TEXT
            and prompts.interpret(request.prompt, has_exclude) is None
        ):
            problems["prompt"] = prompts.cannot_follow(request.prompt)
        if request.kind is RequestKind.INPAINT:
            region = request.region
            if region is None:
                problems["region"] = "an inpaint request needs a region to repair"
            elif region.start < 0 or region.start >= region.end:
                problems["region"] = (
                    f"region {region.start:g}–{region.end:g} s is empty or inverted"
                )
            elif region.start + max(duration_s - region.end, 0.0) < gap_repair.MIN_CONTEXT_S:
                problems["region"] = (
                    f"region {region.start:g}–{region.end:g} s leaves less than "
                    f"{gap_repair.MIN_CONTEXT_S * 1000:.0f} ms of the file around it to repair "
                    "from; shorten the region"
                )
        return problems

    def run(
        self,
        request: Request,
        work_dir: Path,
        *,
        on_event: EventFn = ignore_events,
        cancel: CancelToken | None = None,
    ) -> ProviderResult:
        with open_audio(request.media_path) as audio:
            self.validate(request, audio.duration)
            options = self.resolve_options(request.options)
            work_dir = Path(work_dir)
            work_dir.mkdir(parents=True, exist_ok=True)
            source = PlainReads(audio)  # long passes must not fill memory with mapped pages
            try:
                if request.kind is RequestKind.INPAINT:
                    result = _inpaint(request, source, work_dir, on_event, cancel)
                else:
                    reporter = Reporter(on_event, cancel, source.frames)
                    result = run_separation(request, source, options, work_dir, reporter)
            finally:
                source.close()
        on_event(JobEvent("done", "finished", 1.0))
        return result


def _inpaint(
    request: Request,
    source: FrameSource,
    work_dir: Path,
    on_event: EventFn,
    cancel: CancelToken | None,
) -> ProviderResult:
    assert request.region is not None  # validate() has checked
    region, rate, frames = request.region, source.sample_rate, source.frames
    r0 = min(round(region.start * rate), frames - 1)
    r1 = max(min(round(region.end * rate), frames), r0 + 1)
    reporter = Reporter(on_event, cancel, frames)
    reporter.log(
        "the offline engine repairs gaps from the surrounding sound; regenerating speech or new "
        "sounds needs a cloud engine"
        + (f" (the prompt {region.prompt!r} is not used)" if region.prompt.strip() else "")
    )
    reporter.phase("planning the repair")
    patch = gap_repair.plan_repair(source, r0, r1)
    if patch.method == "autoregressive":
        reporter.log(f"{(r1 - r0) / rate * 1000:.1f} ms gap: predicted from both sides")
    else:
        a, b = patch.facts["copied_from_s"]
        reporter.log(
            f"{(r1 - r0) / rate:.2f} s gap: filled with room tone copied from {a:.2f}–{b:.2f} s"
        )
    out_path = work_dir / "inpainted.wav"
    reporter.phase("repairing")
    with (
        no_leftovers(out_path),
        AudioWriter(out_path, rate, source.channels, FLOAT_WAV) as out,
    ):
        gap_repair.repair(source, patch, out.write, reporter.step)
        reporter.check()
    details = {"method": patch.method, "region_samples": [r0, r1], **patch.facts}
    return ProviderResult({"inpainted": out_path}, rate, "local/gap-repair", details=details)
