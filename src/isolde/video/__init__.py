"""Video, no Qt: frames (`frames`, `frame_cache`, `probe`), masks as pixels (`mask_raster`,
`mask_timeline`, and `mask_fields` for the distance fields it interpolates between keyframes
with), tracking (`tracking`, `refine`), mask videos in a provider's polarity (`mask_video`,
`polarity`), cutting and muxing (`cut`, `mux`, `sound_encoding`), and turning a cloud assist's
masks into keyframes (`assist`). Mask values themselves live in `isolde.core.masks`.
"""
