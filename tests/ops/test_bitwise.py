"""``& | ^ ~`` on integer and boolean tensors (NumPy's results), a TypeError on floats."""

import numpy as np
import pytest

import minigrad as mg

A = np.array([0, 1, 5, -6, 12], dtype=np.int64)
B = np.array([3, 3, 6, 7, -1], dtype=np.int64)


def test_integer_results_match_numpy():
    a, b = mg.tensor(A), mg.tensor(B)
    for out, ref in [(a & b, A & B), (a | b, A | B), (a ^ b, A ^ B), (~a, ~A), (a & 4, A & 4), (6 | a, 6 | A),
                     (1 ^ a, 1 ^ A), (mg.bitwise_and(a, b), A & B), (mg.bitwise_not(a), ~A)]:
        assert out.dtype == np.int64 and not out.requires_grad
        np.testing.assert_array_equal(out.numpy(), ref)
    small = mg.tensor(np.array([1, 2], dtype=np.int32)) & mg.tensor(np.array([3, 3], dtype=np.int32))
    assert small.dtype == np.int32 and small.tolist() == [1, 2]


def test_booleans_combine_masks():
    x = mg.tensor([-1.0, 0.5, 2.0])
    inside = (x > 0) & (x < 1)
    assert inside.dtype == np.bool_ and inside.tolist() == [False, True, False]
    assert ((x < 0) | (x > 1)).tolist() == [True, False, True]
    assert ((x > 0) ^ (x > 1)).tolist() == [False, True, False]
    assert (~(x > 0)).tolist() == [True, False, False]
    assert (np.array([True, True, False]) & (x > 0)).tolist() == [False, True, False]


def test_broadcasting_and_its_error():
    assert (mg.tensor([[1], [2]]) & mg.tensor([3, 1])).tolist() == [[1, 1], [2, 0]]
    with pytest.raises(ValueError, match=r"bitwise_or: shapes \(2,\) and \(3,\) cannot be broadcast"):
        mg.tensor([1, 2]) | mg.tensor([1, 2, 3])


@pytest.mark.parametrize("call", [lambda f, i: f & i, lambda f, i: i | f, lambda f, i: f ^ 1, lambda f, i: ~f])
def test_floating_tensors_are_a_type_error(call):
    with pytest.raises(TypeError, match=r"bitwise_\w+: needs integer or boolean tensors, got float32"):
        call(mg.tensor([1.0, 2.0]), mg.tensor([1, 2]))
