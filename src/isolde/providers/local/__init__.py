"""The offline engine: works with no key and no network."""
