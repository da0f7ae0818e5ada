"""The timeline: waveform lanes, marks, ruler, playhead, overview strip and spectrogram."""
