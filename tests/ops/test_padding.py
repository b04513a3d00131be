import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, NONEMPTY_SHAPES, arrays, check_gradients, tensor_in_layout

MODES = ("constant", "reflect", "edge")


@settings(max_examples=10, deadline=None)
@given(x=arrays(shape=NONEMPTY_SHAPES), mode=st.sampled_from(MODES), layout=st.sampled_from(LAYOUTS),
       data=st.data())
def test_pad_matches_numpy_and_gradchecks(x, mode, layout, data):
    widths = tuple((data.draw(st.integers(0, 3)), data.draw(st.integers(0, 3))) for _ in x.shape)
    out = mg.pad(tensor_in_layout(x, layout), widths, mode=mode)
    kwargs = {"constant_values": 0.0} if mode == "constant" else {}
    np.testing.assert_array_equal(out.numpy(), np.pad(x, widths, mode=mode, **kwargs))
    check_gradients(lambda t: t.pad(widths, mode=mode), [x], layouts=[layout], second_order=True)


@pytest.mark.parametrize("width", [2, (1, 2), ((1, 2),), [(0, 1), (2, 0)], np.array([[1, 0], [0, 3]])])
def test_pad_width_forms_follow_numpy(width):
    x = np.arange(6.0).reshape(2, 3)
    for mode in MODES:
        np.testing.assert_array_equal(mg.pad(mg.tensor(x), width, mode=mode).numpy(), np.pad(x, width, mode=mode))


def test_constant_value_dtype_and_no_padding():
    x = mg.tensor([[1, 2], [3, 4]])
    out = mg.pad(x, (1, 0), value=7)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), np.pad(x.numpy(), (1, 0), constant_values=7))
    assert mg.pad(x, 0) is x


def test_reflect_and_edge_gradients_add_up_the_copies():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.pad(2, mode="reflect")  # [3 2 | 1 2 3 | 2 1]
    np.testing.assert_array_equal(y.numpy(), [3, 2, 1, 2, 3, 2, 1])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, 3, 2])
    x.grad = None
    y = x.pad((2, 1), mode="edge")  # [1 1 | 1 2 3 | 3]
    (y * mg.tensor([1.0, 2, 3, 4, 5, 6])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1 + 2 + 3, 4, 5 + 6])


def test_constant_gradient_cuts_the_border():
    x = mg.tensor(np.ones((2, 2)), requires_grad=True)
    w = mg.tensor(np.arange(16.0).reshape(4, 4))
    (x.pad(1, value=5.0) * w).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[5, 6], [9, 10]])


def test_pad_errors():
    x = mg.zeros(2, 3)
    with pytest.raises(ValueError, match=r"pad: pad_width .*\(2, 3\)"):
        mg.pad(x, ((1, 1), (1, 1), (1, 1)))
    with pytest.raises(ValueError, match=r"pad: pad_width .* negative"):
        mg.pad(x, (1, -1))
    with pytest.raises(ValueError, match=r"pad: mode must be one of constant, reflect, edge, got 'wrap'"):
        mg.pad(x, 1, mode="wrap")
    with pytest.raises(TypeError, match=r"pad: pad_width must hold ints"):
        mg.pad(x, 1.5)
    with pytest.raises(ValueError, match=r"pad: mode 'edge' cannot pad axis 1 of length 0"):
        mg.pad(mg.zeros(2, 0), 1, mode="edge")
