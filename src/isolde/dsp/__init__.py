"""The offline engine's signal processing: plain numpy on arrays, no provider or job machinery.

`providers/local` adapts a request to these modules; `isolde suggest` and the editor's span
suggester use them too. By role:

- Reading and transforms: `sources` (what the drivers read), `stft` (the file-wide frame grid
  and overlap-add), `profiles` (long-term spectra in constant memory).
- Drivers, one pass over a file in chunks: `separation` (spectral method, and the output stage
  all methods share), `speech_separation` (speech path), `gap_repair` (inpaint).
- The speech path's parts: `denoised_stream` and `denoise_worker` (a denoiser's estimate,
  in a child process for long files) over `frame_denoiser`, `deepfilter` (its networks opened
  in `deepfilter_graph`) and `rnnoise`; `background_tracker`, `speech_mask` (one mask from
  both estimates), `learned_fusion` (a small perceptron that then sets each bin's gain, with the
  network), `steady_background` (do-no-harm bound), `network_hearing` (does the denoiser hear
  this voice?), `wiener`.
- Before a method runs: `method_choice` (which method, and why), `hum` and `hum_cancel`
  (mains hum found and cancelled), `span_tails` (an echo left out of an exclude span),
  `envelope` (where the user said the target is absent).
- Inpaint fills: `autoregressive` (short gaps), `room_tone` (long ones).
- Speech detection: `vad`, `span_suggestions`, `suggest_pass`.
"""
