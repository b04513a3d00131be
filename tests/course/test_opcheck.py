import pytest

from minigrad.course.opcheck import CASES, check_ops, format_results


def test_every_op_passes_in_float64():
    results = check_ops()
    assert len(results) == len(CASES) >= 50
    failed = [r.name for r in results if not r.passed]
    assert failed == []
    table = format_results(results)
    assert table.splitlines()[-1] == f"{len(CASES)} passed, 0 failed"


def test_named_ops_and_float32_tolerances():
    results = check_ops(["tanh", "softmax"], dtype="float32")
    assert [r.name for r in results] == ["tanh", "softmax"] and all(r.passed for r in results)


def test_a_broken_op_is_reported(monkeypatch):
    import minigrad.course.opcheck as opcheck

    wrong = (lambda a: a * a.detach(), ((3,),), None)  # ignores one of the two paths of d(a²)/da
    monkeypatch.setitem(opcheck.CASES, "square", wrong)
    (result,) = check_ops(["square"])
    assert not result.passed and "3 mismatches" in result.detail
    assert "FAIL" in format_results([result])


def test_errors():
    with pytest.raises(ValueError, match="unknown op 'nope'"):
        check_ops(["nope"])
    with pytest.raises(ValueError, match="float32 or float64"):
        check_ops(["tanh"], dtype="float16")
