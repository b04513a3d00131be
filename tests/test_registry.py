import pytest

import minigrad as mg
from minigrad import metrics, nn, optim
from minigrad.nn import functional as F
from minigrad.nn import init, losses, regularizers
from minigrad.registry import NotANameError, Registry, UnknownNameError, normalize_name


def make():
    return Registry("colour", {"light_blue": 1, "red": 2}, aliases={"azure": "light_blue"})


@pytest.mark.parametrize("spelling", ["light_blue", "LightBlue", "light-blue", " Light Blue ", "LIGHT_BLUE", "azure",
                                      "Azure"])
def test_every_spelling_and_alias_finds_the_entry(spelling):
    r = make()
    assert r[spelling] == 1 and r.resolve(spelling) == 1
    assert r.canonical(spelling) == "light_blue"
    assert spelling in r


def test_normalize_name_ignores_case_spaces_dashes_and_underscores():
    assert normalize_name(" Leaky-ReLU_ 6") == "leakyrelu6"


def test_a_registry_is_a_mapping_of_canonical_names_in_order():
    r = make()
    assert list(r) == ["light_blue", "red"] and len(r) == 2 and dict(r) == {"light_blue": 1, "red": 2}
    assert r.aliases == {"azure": "light_blue"}
    assert "green" not in r and 3 not in r


def test_unknown_name_lists_the_valid_names_and_aliases():
    with pytest.raises(UnknownNameError) as info:
        make().resolve("green")
    assert str(info.value) == "unknown colour 'green'; valid names: light_blue, red (aliases: azure)"
    assert isinstance(info.value, ValueError) and isinstance(info.value, KeyError)
    with pytest.raises(KeyError):  # as a Mapping
        make()["green"]


@pytest.mark.parametrize("bad", [3, 0.5, ["red"], None])
def test_a_value_that_is_no_name_is_a_type_and_value_error_that_lists_the_names(bad):
    with pytest.raises(NotANameError, match=r"colour must be a name \(a string\).*valid names: light_blue, red"):
        make().resolve(bad)
    assert issubclass(NotANameError, TypeError) and issubclass(NotANameError, ValueError)


def test_callables_pass_through_and_none_means_what_the_registry_says():
    def custom(x):
        return x

    assert make().resolve(custom) is custom
    assert Registry("colour", {"red": 2}, none="default").resolve(None) == "default"
    assert Registry("colour", {"red": 2}, none=None).resolve(None) is None


def test_derive_keeps_names_and_aliases():
    doubled = make().derive(lambda v: 2 * v, none=0)
    assert doubled["azure"] == 2 and doubled["red"] == 4 and doubled.resolve(None) == 0
    assert doubled.kind == "colour"


def test_a_table_mistake_fails_at_registration():
    r = make()
    with pytest.raises(ValueError, match="registered twice"):
        r.register("red", 5)
    with pytest.raises(ValueError, match="'Red' would name both 'red' and 'light_blue'"):
        r.alias("Red", "light_blue")
    with pytest.raises(ValueError, match="unknown 'green'"):
        r.alias("verde", "green")
    with pytest.raises(ValueError, match="would name both"):
        r.register("lightblue", 7)


# --------------------------------------------------------------------------- every get(name) uses it

@pytest.mark.parametrize("get, spelling, expected", [
    (F.get, "Leaky-ReLU", F.leaky_relu), (F.get, "SWISH", F.silu),
    (init.get, "he-normal", init.he_normal), (init.get, "Kaiming Normal", init.he_normal),
    (init.get, "SmallNormal", init.small_normal),
    (losses.get, "Mean-Squared-Error", losses.mse), (losses.get, "BCE", losses.binary_cross_entropy),
    (metrics.get, "ACC", metrics.accuracy), (metrics.get, "Sensitivity", metrics.recall),
])
def test_every_get_normalises_names_the_same_way(get, spelling, expected):
    assert get(spelling) is expected


@pytest.mark.parametrize("get, kind, listed", [
    (F.get, "activation", "celu, elu, exponential"),
    (init.get, "initializer", "constant, glorot_normal, glorot_uniform"),
    (losses.get, "loss", "binary_cross_entropy, categorical_hinge, cross_entropy"),
    (metrics.get, "metric", "accuracy, f1, precision, recall, specificity"),
    (regularizers.get, "regularizer", "elastic_net, l1, l1_l2, l2, orthogonal"),
    (lambda name: optim.get(name, [nn.Parameter(mg.ones(2))]), "optimizer", "adadelta, adagrad, adam, adamax"),
])
def test_every_get_raises_the_same_error(get, kind, listed):
    with pytest.raises(ValueError, match=f"^unknown {kind} 'nope'; valid names: {listed}"):
        get("nope")


def test_regularizer_names_build_and_optimizer_classes_pass_through():
    assert type(regularizers.get("L1-L2")) is regularizers.L1L2 and regularizers.get(None) is None
    w = [nn.Parameter(mg.ones(2))]
    assert type(optim.get(optim.Adam, w, lr=0.1)) is optim.Adam
    assert type(optim.get("Ada-Max", w)) is optim.Adamax
