"""The editor's video parts: the Video dock that shows the frame at the playhead, its picture view
(with the mask overlay and the hook the mask tools draw through), the "What the model will see"
preview, File → Export video…, and `install_video_docks`, which puts them in the main window.

Frames come from `isolde.video.frame_cache` (decoded on its own thread) and masks from
`isolde.video.mask_timeline`; nothing here decodes or keeps project state of its own.
"""
