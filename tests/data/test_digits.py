"""The bundled 8×8 digits: shape, labels, range, known pixels, copies, the files shipped."""

from importlib import resources

import numpy as np
import pytest

from minigrad.data import digits, load_digits

# Class counts of the UCI optdigits test set (digits 0..9).
COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]

# Sample 0 is a zero; its 8×8 image as stored in the bundled file (regression check).
SAMPLE0 = [
    [0, 0, 5, 13, 9, 1, 0, 0],
    [0, 0, 13, 15, 10, 15, 5, 0],
    [0, 3, 15, 2, 0, 11, 8, 0],
    [0, 4, 12, 0, 0, 8, 8, 0],
    [0, 5, 8, 0, 0, 9, 8, 0],
    [0, 4, 11, 0, 1, 12, 7, 0],
    [0, 2, 14, 5, 10, 12, 0, 0],
    [0, 0, 6, 13, 10, 0, 0, 0],
]


def test_shape_dtype_and_range():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    np.testing.assert_array_equal(X, np.round(X))  # integer counts of on-pixels in 4×4 blocks
    assert set(np.unique(y)) == set(range(10))


def test_label_counts_are_about_180_per_digit():
    _, y = load_digits()
    np.testing.assert_array_equal(np.bincount(y), COUNTS)


def test_known_values():
    X, y = load_digits()
    np.testing.assert_array_equal(X[0].reshape(8, 8), SAMPLE0)
    np.testing.assert_array_equal(y[:20], list(range(10)) * 2)
    assert X.sum() == 561718
    assert X[-1].sum() == 392 and y[-1] == 8


def test_images_layout_matches_the_flat_rows():
    X, y = load_digits()
    images, y2 = load_digits(images=True)
    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(images.reshape(1797, 64), X)
    np.testing.assert_array_equal(y, y2)


def test_each_call_returns_fresh_copies():
    X, y = load_digits()
    X[0, 2] = -1.0
    y[0] = 9
    X2, y2 = load_digits()
    assert X2[0, 2] == 5.0 and y2[0] == 0


def test_bundled_files_and_licence():
    files = resources.files("minigrad.data")
    with files.joinpath("digits.npz").open("rb") as f, np.load(f, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["images", "target"]
        assert npz["images"].dtype == np.uint8 and npz["target"].dtype == np.uint8
    text = files.joinpath("digits_LICENSE.txt").read_text(encoding="utf-8")
    for needed in ("Alpaydin", "Kaynak", "1998", "CC BY 4.0", "UCI", "32x32", "8x8"):
        assert needed in text


def test_images_argument_is_checked():
    with pytest.raises(ValueError, match="images='yes'"):
        load_digits(images="yes")


def test_a_damaged_file_gives_a_clear_error(monkeypatch):
    monkeypatch.setattr(digits, "_CACHE", {})
    monkeypatch.setattr(digits, "_FILE", "no_such_file.npz")
    with pytest.raises(RuntimeError, match="no_such_file.npz.*reinstall"):
        load_digits()
