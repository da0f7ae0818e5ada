"""A fake of the three cloud engines on 127.0.0.1, for tests and for trying the editor offline."""

from .faults import Faults
from .server import FakeCloud

__all__ = ["FakeCloud", "Faults"]
