"""The version of minigrad (read by the package, its checkpoints and the build)."""

__version__ = "0.1.0"
