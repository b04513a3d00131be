"""The 8×8 handwritten digits (UCI "Optical Recognition of Handwritten Digits"), bundled.

1797 grey images of the digits 0–9 written by 13 people, about 180 per digit
(E. Alpaydin & C. Kaynak, 1998; the UCI test set). Each image is an 8×8 grid of
counts: the authors divided a 32×32 black-and-white bitmap into 4×4 blocks and
counted the ink pixels in each, so a pixel is an integer 0–16. It is a real
multi-class problem small enough to train on a CPU in seconds: a softmax
regression reaches about 96 % test accuracy, a small MLP 97–98 %.

The data ship inside the package (``digits.npz``, 45 kB, two uint8 arrays) so they
work offline; ``digits_LICENSE.txt`` beside it gives the source, the licence (CC BY
4.0) and the citation.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

__all__ = ["load_digits"]

_FILE = "digits.npz"
_CACHE = {}


def _load():
    """Read and check ``digits.npz`` once; later calls reuse the arrays."""
    if not _CACHE:
        try:
            with resources.files("minigrad.data").joinpath(_FILE).open("rb") as f:
                with np.load(f, allow_pickle=False) as npz:
                    images, target = npz["images"], npz["target"]
        except (FileNotFoundError, KeyError, ValueError, OSError) as exc:
            raise RuntimeError(
                f"load_digits: the bundled file minigrad/data/{_FILE} is missing or damaged ({exc}); "
                "reinstall minigrad"
            ) from exc
        if images.shape != (1797, 8, 8) or target.shape != (1797,) or images.max() > 16 or target.max() > 9:
            raise RuntimeError(
                f"load_digits: minigrad/data/{_FILE} holds unexpected arrays "
                f"(images {images.shape}, target {target.shape}); reinstall minigrad"
            )
        _CACHE["images"] = images.astype(np.float64)
        _CACHE["target"] = target.astype(np.int64)
    return _CACHE["images"], _CACHE["target"]


def load_digits(images=False):
    """The 1797 handwritten digits as ``(X, y)``.

    * ``X``: float64 pixel counts in [0, 16], shape (1797, 64) -- each 8×8 image
      flattened row by row, the layout a Linear layer takes -- or (1797, 8, 8) with
      ``images=True`` (for plotting);
    * ``y``: int64 digits 0–9, shape (1797,).

    The pixels are not scaled: divide by 16 or fit a
    :class:`~minigrad.data.StandardScaler` on the training split only (use the
    same μ and σ for all sets). Split before scaling,
    e.g. with :func:`~minigrad.data.train_val_test_split` and ``stratify=True``
    (all splits with the same distribution).

    Each call returns fresh copies, so changing them does not change the next call.
    """
    if not isinstance(images, bool):
        raise ValueError(f"load_digits: images must be True or False, got images={images!r}")
    pixels, target = _load()
    X = pixels.copy() if images else pixels.reshape(len(pixels), 64).copy()
    return X, target.copy()
