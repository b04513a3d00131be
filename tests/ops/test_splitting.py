import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, NONEMPTY_SHAPES, arrays, check_gradients, tensor_in_layout

few = settings(max_examples=10, deadline=None)


@few
@given(x=arrays(shape=NONEMPTY_SHAPES), layout=st.sampled_from(LAYOUTS), size=st.integers(1, 5), data=st.data())
def test_split_by_size_and_by_sections(x, layout, size, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    t = tensor_in_layout(x, layout)
    pieces = t.split(size, dim=axis)
    assert isinstance(pieces, tuple)
    cuts = list(range(size, n, size))
    assert [p.shape[axis] for p in pieces] == [len(range(s, min(s + size, n))) for s in range(0, n, size)]
    for p, e in zip(pieces, np.split(x, cuts, axis=axis)):
        np.testing.assert_array_equal(p.numpy(), e)
    first = data.draw(st.integers(0, n))
    sections = [first, n - first]
    for p, e in zip(mg.split(t, sections, axis), np.split(x, [first], axis=axis)):
        np.testing.assert_array_equal(p.numpy(), e)
    # each piece weighted differently, so a gradient sent to the wrong piece shows
    check_gradients(lambda u: mg.concat([p * float(i + 1) for i, p in enumerate(u.split(size, axis))], axis),
                    [x], layouts=[layout], second_order=True)


@pytest.mark.parametrize("n, chunks, lengths", [(6, 3, [2, 2, 2]), (5, 2, [3, 2]), (5, 4, [2, 2, 1]), (2, 5, [1, 1]),
                                                (0, 2, [0])])
def test_chunk_follows_pytorch(n, chunks, lengths):
    x = mg.arange(float(n)).reshape(n, 1) if n else mg.zeros(0, 1)
    pieces = x.chunk(chunks)
    assert [p.shape[0] for p in pieces] == lengths
    if n:
        np.testing.assert_array_equal(mg.concat(pieces, 0).numpy(), x.numpy())


def test_split_gradient_puts_pieces_back():
    x = mg.tensor(np.arange(5.0), requires_grad=True)
    a, b, c = x.split([1, 3, 1])
    (a * 1.0 + c * 3.0).sum().backward()  # b unused: its part of the gradient is 0
    np.testing.assert_array_equal(x.grad.numpy(), [1, 0, 0, 0, 3])


def test_unflatten():
    x = np.arange(24.0).reshape(2, 12)
    t = mg.tensor(x)
    np.testing.assert_array_equal(t.unflatten(1, (3, -1)).numpy(), x.reshape(2, 3, 4))
    np.testing.assert_array_equal(mg.unflatten(t, -1, (2, 2, 3)).numpy(), x.reshape(2, 2, 2, 3))
    assert t.unflatten(dim=0, sizes=(1, 2)).shape == (1, 2, 12)
    check_gradients(lambda u: u.unflatten(0, (2, 3)) * 2.0, [np.ones((6, 2))], second_order=True)


def test_split_chunk_unflatten_errors():
    x = mg.zeros(5, 2)
    with pytest.raises(ValueError, match=r"split: sections \[2, 2\] do not add up to the length 5 of axis 0 "
                                         r"\(input shape \(5, 2\)\)"):
        x.split([2, 2])
    with pytest.raises(ValueError, match=r"split: split_size must be positive, got 0"):
        x.split(0)
    with pytest.raises(TypeError, match=r"split: split_size_or_sections must be an int or a list"):
        x.split("a")
    with pytest.raises(ValueError, match=r"split: axis 2 is out of range"):
        x.split(1, dim=2)
    with pytest.raises(ValueError, match=r"chunk: chunks must be a positive int, got 0"):
        x.chunk(0)
    with pytest.raises(ValueError, match=r"unflatten: sizes \(2, 2\) do not fit axis 0 of length 5"):
        x.unflatten(0, (2, 2))
    with pytest.raises(ValueError, match=r"unflatten: sizes \(-1, -1\)"):
        x.unflatten(0, (-1, -1))
