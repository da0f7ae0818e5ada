"""The layer lanes under the take lanes: one waveform per leaf layer, in the layer's colour.

They are take lanes in all but their label: no "Original" tag (the layers add up to it), and a
muted layer's label says so, since its lane is drawn whether or not it is heard.
"""

from __future__ import annotations

from isolde.ui.timeline.take_lanes import LaneSpec, TakeLanes

LAYER_PREFIX = "layer:"  # a layer lane's player name: "layer:<layer id>"


def layer_lane(layer_id: str) -> str:
    return LAYER_PREFIX + layer_id


class LayerLanes(TakeLanes):
    def set_lanes(self, specs: list[LaneSpec], sample_rate: int) -> None:
        super().set_lanes(specs, sample_rate)
        self.original_label.hide()  # the original's label belongs to the take lanes
