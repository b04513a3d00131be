import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import metrics
from minigrad.metrics import (
    accuracy, classification_report, confusion_matrix, f1, precision, recall, sensitivity, specificity,
)


def counts_by_hand(y_true, y_pred, positive):
    """TP, FP, FN, TN of one class, counted pair by pair (independent of the library)."""
    tp = fp = fn = tn = 0
    for t, p in zip(y_true, y_pred):
        if p == positive:
            tp, fp = tp + (t == positive), fp + (t != positive)
        else:
            fn, tn = fn + (t == positive), tn + (t != positive)
    return tp, fp, fn, tn


# --------------------------------------------------------------------------- binary

#            0  1  2  3  4  5  6  7  8  9
BIN_TRUE = [1, 1, 1, 1, 0, 0, 0, 0, 0, 1]
BIN_PRED = [1, 1, 0, 1, 0, 1, 0, 0, 0, 0]
# positives 0,1,3 found (TP = 3), 2 and 9 missed (FN = 2), 5 a false alarm (FP = 1), 4,6,7,8 TN = 4
TP, FP, FN, TN = 3, 1, 2, 4


def test_binary_counts_by_hand():
    assert counts_by_hand(BIN_TRUE, BIN_PRED, 1) == (TP, FP, FN, TN)


def test_binary_metrics_follow_the_seed_formulas():
    assert accuracy(BIN_TRUE, BIN_PRED) == pytest.approx((TP + TN) / (TP + TN + FP + FN)) == pytest.approx(0.7)
    assert precision(BIN_TRUE, BIN_PRED) == pytest.approx(TP / (TP + FP)) == pytest.approx(0.75)
    assert recall(BIN_TRUE, BIN_PRED) == pytest.approx(TP / (TP + FN)) == pytest.approx(0.6)
    assert specificity(BIN_TRUE, BIN_PRED) == pytest.approx(TN / (TN + FP)) == pytest.approx(0.8)
    p, r = 0.75, 0.6
    assert f1(BIN_TRUE, BIN_PRED) == pytest.approx(2 * p * r / (p + r)) == pytest.approx(2 / 3)
    assert sensitivity is recall


def test_binary_confusion_matrix_rows_are_true_columns_predicted():
    cm = confusion_matrix(BIN_TRUE, BIN_PRED)
    assert cm.dtype == np.int64 and cm.shape == (2, 2)
    np.testing.assert_array_equal(cm, [[TN, FP], [FN, TP]])


def test_pos_label_zero_swaps_the_roles():
    tp, fp, fn, tn = counts_by_hand(BIN_TRUE, BIN_PRED, 0)
    assert (tp, fp, fn, tn) == (TN, FN, FP, TP)
    assert precision(BIN_TRUE, BIN_PRED, pos_label=0) == pytest.approx(4 / 6)
    assert recall(BIN_TRUE, BIN_PRED, pos_label=0) == pytest.approx(4 / 5)
    assert specificity(BIN_TRUE, BIN_PRED, pos_label=0) == pytest.approx(3 / 5)
    assert f1(BIN_TRUE, BIN_PRED, pos_label=0) == pytest.approx(2 * 4 / (2 * 4 + 2 + 1))


def test_results_are_python_floats():
    for fn in (accuracy, precision, recall, specificity, f1):
        assert type(fn(BIN_TRUE, BIN_PRED)) is float


# --------------------------------------------------------------------------- three classes

MC_TRUE = [0, 0, 0, 0, 1, 1, 2, 2, 2]
MC_PRED = [0, 0, 1, 2, 1, 1, 2, 0, 1]
MC_CM = [[2, 1, 1],
         [0, 2, 0],
         [1, 1, 1]]
# one-vs-rest counts (TP, FP, FN, TN): TP diagonal, FP column − TP, FN row − TP, TN the rest of N = 9
MC_COUNTS = [(2, 1, 2, 4), (2, 2, 0, 5), (1, 1, 2, 5)]


def test_three_class_confusion_matrix_and_counts_by_hand():
    np.testing.assert_array_equal(confusion_matrix(MC_TRUE, MC_PRED), MC_CM)
    assert [counts_by_hand(MC_TRUE, MC_PRED, c) for c in range(3)] == MC_COUNTS


def test_three_class_macro_is_the_mean_of_per_class_values():
    assert precision(MC_TRUE, MC_PRED, average="macro") == pytest.approx((2 / 3 + 2 / 4 + 1 / 2) / 3)
    assert recall(MC_TRUE, MC_PRED, average="macro") == pytest.approx((2 / 4 + 2 / 2 + 1 / 3) / 3)
    assert specificity(MC_TRUE, MC_PRED, average="macro") == pytest.approx((4 / 5 + 5 / 7 + 5 / 6) / 3)
    assert f1(MC_TRUE, MC_PRED, average="macro") == pytest.approx((4 / 7 + 4 / 6 + 2 / 5) / 3)


def test_three_class_micro_uses_the_summed_counts():
    tp, fp, fn, tn = (sum(c[i] for c in MC_COUNTS) for i in range(4))
    assert (tp, fp, fn, tn) == (5, 4, 4, 14)
    assert precision(MC_TRUE, MC_PRED, average="micro") == pytest.approx(5 / 9)
    assert recall(MC_TRUE, MC_PRED, average="micro") == pytest.approx(5 / 9)
    assert f1(MC_TRUE, MC_PRED, average="micro") == pytest.approx(5 / 9)
    assert specificity(MC_TRUE, MC_PRED, average="micro") == pytest.approx(14 / 18)
    assert accuracy(MC_TRUE, MC_PRED) == pytest.approx(5 / 9)


def test_binary_average_refuses_more_than_two_classes():
    for fn in (precision, recall, specificity, f1):
        with pytest.raises(ValueError, match=r"3.*average='macro' or average='micro'"):
            fn(MC_TRUE, MC_PRED)


def test_macro_skips_classes_that_never_occur():
    # labels 0 and 2 only: class 1 is absent from both, so it does not drag the mean down
    assert precision([0, 2, 2], [0, 2, 0], average="macro") == pytest.approx((1 / 2 + 1) / 2)
    assert confusion_matrix([0, 2, 2], [0, 2, 0]).shape == (3, 3)


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=30))
def test_identities_on_random_labels(pairs):
    t, p = np.array(pairs).T
    cm = confusion_matrix(t, p)
    assert cm.sum() == len(t)
    assert accuracy(t, p) == pytest.approx(np.trace(cm) / len(t))
    # single-label data: micro precision = micro recall = micro f1 = accuracy
    for fn in (precision, recall, f1):
        assert fn(t, p, average="micro") == pytest.approx(accuracy(t, p))
    present = np.union1d(t, p)
    by_hand = [counts_by_hand(t, p, c) for c in present]
    expected = np.mean([tp / (tp + fn) if tp + fn else 0.0 for tp, fp, fn, tn in by_hand])
    assert recall(t, p, average="macro") == pytest.approx(expected)


# --------------------------------------------------------------------------- input forms

def test_probabilities_are_thresholded_at_one_half():
    probs = [0.9, 0.4, 0.5, 0.51, 0.2]  # → 1, 0, 0 (0.5 is not > 0.5), 1, 0
    y = [1, 0, 1, 1, 1]
    np.testing.assert_array_equal(confusion_matrix(y, probs), [[1, 0], [2, 2]])
    assert accuracy(y, probs) == pytest.approx(3 / 5)
    column = np.array(probs, dtype=np.float32).reshape(-1, 1)  # a sigmoid layer's (N, 1) output
    assert accuracy(y, column) == pytest.approx(3 / 5)
    assert recall(y, mg.tensor(probs)) == pytest.approx(2 / 4)


def test_whole_number_floats_and_bools_are_labels():
    assert accuracy([0.0, 1.0, 2.0], np.array([0.0, 1.0, 1.0])) == pytest.approx(2 / 3)
    assert precision(np.array([True, False, True]), np.array([True, True, True])) == pytest.approx(2 / 3)


def test_one_hot_targets_and_score_matrices_use_argmax():
    onehot = np.eye(3)[MC_TRUE]
    scores = np.eye(3)[MC_PRED] * 2.0 - 0.5  # largest score at the predicted class
    np.testing.assert_array_equal(confusion_matrix(onehot, scores), MC_CM)
    expected = f1(MC_TRUE, MC_PRED, average="macro")
    assert f1(mg.tensor(onehot), mg.tensor(scores), average="macro") == pytest.approx(expected)
    assert accuracy(MC_TRUE, scores.tolist()) == pytest.approx(5 / 9)


def test_one_hot_width_sets_the_number_of_classes():
    onehot = np.eye(4)[[0, 1, 1]]
    assert confusion_matrix(onehot, [0, 1, 0]).shape == (4, 4)


def test_num_classes_pads_the_matrix():
    cm = confusion_matrix([0, 1], [1, 1], num_classes=4)
    np.testing.assert_array_equal(cm, [[0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])


# --------------------------------------------------------------------------- zero division

def test_zero_division_gives_zero():
    assert precision([1, 0, 1], [0, 0, 0]) == 0.0      # nothing predicted positive: TP + FP = 0
    assert recall([0, 0, 0], [1, 0, 0]) == 0.0         # no positive samples: TP + FN = 0
    assert specificity([1, 1, 1], [1, 0, 1]) == 0.0    # no negative samples: TN + FP = 0
    assert f1([0, 0, 0], [0, 0, 0]) == 0.0             # TP = FP = FN = 0
    assert precision([0, 0], [0, 0], pos_label=0) == 1.0


# --------------------------------------------------------------------------- errors

def test_mismatched_lengths_name_both():
    with pytest.raises(ValueError, match=r"accuracy: y_true has 5 samples but y_pred has 4"):
        accuracy([0, 1, 0, 1, 1], [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"3 samples but y_pred has 2"):
        confusion_matrix(np.eye(3), [0, 1])


def test_empty_input_is_an_error():
    with pytest.raises(ValueError, match=r"empty \(0 and 0 samples\)"):
        precision([], [])


def test_bad_values_are_named():
    with pytest.raises(ValueError, match="negative class label -1"):
        accuracy([0, -1], [0, 1])
    with pytest.raises(ValueError, match=r"integer class labels.*0\.5"):
        accuracy([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="unknown average 'weighted'"):
        f1([0, 1], [0, 1], average="weighted")
    with pytest.raises(ValueError, match="pos_label must be 0 or 1 .*got 2"):
        recall([0, 1], [0, 1], pos_label=2)
    with pytest.raises(ValueError, match=r"num_classes=2 but y_pred has class 2"):
        confusion_matrix([0, 1], [0, 2], num_classes=2)
    with pytest.raises(ValueError, match="NaN at index 1"):
        accuracy([0, 1], [0.2, float("nan")])
    with pytest.raises(ValueError, match="y_true has 3 columns .* y_pred has 2"):
        accuracy(np.eye(3), np.ones((3, 2)))


# --------------------------------------------------------------------------- lookup and report

def test_get_by_name():
    assert metrics.get("acc") is accuracy and metrics.get("Accuracy") is accuracy
    assert metrics.get("sensitivity") is recall
    for name in ("precision", "recall", "specificity", "f1"):
        assert metrics.get(name) is getattr(metrics, name)
    assert metrics.get(len) is len
    with pytest.raises(ValueError, match="unknown metric 'auc'.*accuracy.*specificity"):
        metrics.get("auc")


def test_classification_report_lists_every_class_and_the_averages():
    text = classification_report(MC_TRUE, MC_PRED, target_names=["cat", "dog", "fox"])
    lines = text.splitlines()
    assert lines[0].split() == ["precision", "recall", "specificity", "f1", "support"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:] if line.strip()}
    # cat: P = 2/3, R = 2/4, S = 4/5, F1 = 4/7, support 4
    assert rows["cat"] == ["0.667", "0.500", "0.800", "0.571", "4"]
    assert rows["dog"] == ["0.500", "1.000", "0.714", "0.667", "2"]
    assert rows["fox"] == ["0.500", "0.333", "0.833", "0.400", "3"]
    macro = next(line for line in lines if line.lstrip().startswith("macro avg")).split()[2:]
    assert macro == [f"{precision(MC_TRUE, MC_PRED, average='macro'):.3f}", "0.611", "0.783", "0.546", "9"]
    micro = next(line for line in lines if line.lstrip().startswith("micro avg")).split()[2:]
    assert micro == ["0.556", "0.556", "0.778", "0.556", "9"]
    assert "5 of 9 correct" in text


def test_classification_report_default_names_and_errors():
    text = classification_report(BIN_TRUE, BIN_PRED, digits=2)
    assert [line.split()[0] for line in text.splitlines()[2:4]] == ["0", "1"]
    assert "0.75" in text
    with pytest.raises(ValueError, match="2 target_names for 3 classes"):
        classification_report(MC_TRUE, MC_PRED, target_names=["a", "b"])
