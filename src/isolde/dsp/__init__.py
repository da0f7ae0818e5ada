"""The offline engine's signal processing: plain numpy on arrays, no provider or job machinery."""
