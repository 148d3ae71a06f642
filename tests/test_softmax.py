"""nnbook.softmax against independent oracles: the plain formula, finite differences, SciPy and PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnbook.softmax import (
    CORRECT_IDENTITY,
    SEED_IDENTITY,
    TwoLayerNet,
    anchor_logits,
    cross_entropy,
    cross_entropy_grad,
    entropy,
    heaviside,
    log_prob_grad,
    log_softmax,
    logsumexp,
    naive_softmax,
    numerical_gradient,
    one_hot,
    relu,
    relu_derivative,
    relu_from_heaviside,
    sigmoid,
    sigmoid_via_tanh,
    softmax,
    step_gap,
    steepness_for_gap,
    tanh_net_from_sigmoid,
)

# -- strategies -----------------------------------------------------------------------------
moderate = st.floats(-30, 30, allow_nan=False, allow_infinity=False)


@st.composite
def logit_rows(draw, max_rows=4, max_classes=7, elements=moderate, with_neg_inf=False):
    """(N, K) logits; optionally with -inf entries, but every row keeps one finite entry."""
    n = draw(st.integers(1, max_rows))
    k = draw(st.integers(1, max_classes))
    z = draw(hnp.arrays(np.float64, (n, k), elements=elements))
    if with_neg_inf:
        mask = draw(hnp.arrays(np.bool_, (n, k)))
        keep = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
        mask[np.arange(n), keep] = False
        z[mask] = -np.inf
    return z


@st.composite
def logits_and_targets(draw, **kwargs):
    z = draw(logit_rows(**kwargs))
    t = draw(hnp.arrays(np.int64, (z.shape[0],), elements=st.integers(0, z.shape[1] - 1)))
    return z, t


def plain_softmax(z):
    """The textbook formula row by row with math.exp (only for moderate logits)."""
    out = np.empty_like(z)
    for r, row in enumerate(np.atleast_2d(z)):
        e = [math.exp(v) for v in row]
        out.reshape(-1, z.shape[-1])[r] = [v / math.fsum(e) for v in e]
    return out


# -- the seed's numbers ---------------------------------------------------------------------------
def test_seed_three_class_example():
    p = softmax([1.0, 2.0, 3.0])
    assert np.round(p, 2).tolist() == [0.09, 0.24, 0.67]
    np.testing.assert_allclose(p, np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum(), rtol=1e-15)
    g = log_prob_grad([1.0, 2.0, 3.0], 1)  # class "2" of the seed is index 1
    assert np.round(g, 2).tolist() == [-0.09, 0.76, -0.67]
    assert int(np.argmax(g)) == 1 and int(np.argmin(g)) == 2  # correct class up, top wrong class down most


# -- softmax ---------------------------------------------------------------------------------------
@given(logit_rows())
def test_softmax_matches_the_plain_formula(z):
    np.testing.assert_allclose(softmax(z), plain_softmax(z), rtol=1e-12, atol=1e-300)


@given(logit_rows(elements=st.floats(-1e4, 1e4), with_neg_inf=True))
def test_softmax_is_a_distribution_without_nan_even_for_extreme_logits(z):
    p = softmax(z)
    assert np.isfinite(p).all() and (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    assert (p[np.isneginf(z)] == 0).all()
    lp = log_softmax(z)
    assert not np.isnan(lp).any()
    assert np.isfinite(lp[np.isfinite(z)]).all() and (lp[np.isneginf(z)] == -np.inf).all()
    np.testing.assert_allclose(np.exp(lp), p, rtol=1e-9, atol=1e-300)


@given(logit_rows(), st.floats(-1e3, 1e3))
def test_translation_invariance(z, c):
    np.testing.assert_allclose(softmax(z + c), softmax(z), rtol=1e-9, atol=1e-12)


@given(logit_rows(), st.floats(0.05, 20))
def test_temperature_is_division_of_the_logits(z, t):
    np.testing.assert_allclose(softmax(z, temperature=t), softmax(z / t), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(log_softmax(z, temperature=t), log_softmax(z / t), rtol=1e-9, atol=1e-9)


@given(logit_rows(max_rows=1))
def test_permuting_the_logits_permutes_the_probabilities(z):
    perm = np.random.default_rng(0).permutation(z.shape[1])
    np.testing.assert_allclose(softmax(z[:, perm]), softmax(z)[:, perm], rtol=1e-14, atol=1e-300)


@given(logit_rows(max_rows=1, elements=st.floats(-5, 5)))
def test_high_temperature_gives_uniform_and_low_temperature_gives_argmax(z):
    k = z.shape[1]
    np.testing.assert_allclose(softmax(z, temperature=1e9), 1 / k, rtol=1e-6)
    top = z.max()
    winners = np.isclose(z, top, rtol=0, atol=0)
    assume(np.all(top - z[~winners] > 1e-2))  # clear gaps: ties are tested separately
    p = softmax(z, temperature=1e-5)
    np.testing.assert_allclose(p, winners / winners.sum(), atol=1e-12)


def test_ties_share_the_probability_at_every_temperature():
    for t in (1e-6, 1.0, 1e6):
        p = softmax([2.0, 2.0, 1.0], temperature=t)
        assert p[0] == p[1]
    np.testing.assert_allclose(softmax([2.0, 2.0, 1.0], temperature=1e-6), [0.5, 0.5, 0.0])


def test_axis_argument_and_float32_kept():
    z = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(softmax(z, axis=0), softmax(z.T).T)
    np.testing.assert_allclose(softmax(z, axis=0).sum(axis=0), 1.0)
    assert softmax(z.astype(np.float32)).dtype == np.float32


def test_naive_formula_overflows_where_the_stable_one_does_not():
    z = [1000.0, 1001.0, 1002.0]
    assert np.isnan(naive_softmax(z)).all()
    np.testing.assert_allclose(softmax(z), softmax([1.0, 2.0, 3.0]), rtol=1e-13)


@given(logit_rows(elements=st.floats(-700, 700), with_neg_inf=True))
def test_logsumexp_matches_the_direct_formula(z):
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(logsumexp(z), np.log(np.sum(np.exp(z), axis=-1)), rtol=1e-12, atol=1e-12)


# -- cross-entropy and its gradient -------------------------------------------------------------------
@given(logits_and_targets())
def test_cross_entropy_is_the_mean_negative_log_probability(zt):
    z, t = zt
    expected = -np.mean(np.log(plain_softmax(z)[np.arange(len(t)), t]))
    assert math.isclose(cross_entropy(z, t), expected, rel_tol=1e-10, abs_tol=1e-12)
    assert math.isclose(cross_entropy(z[0], int(t[0])), -np.log(plain_softmax(z[:1])[0, t[0]]), rel_tol=1e-10,
                        abs_tol=1e-12)


@settings(max_examples=50)
@given(logits_and_targets(elements=st.floats(-10, 10)))
def test_gradient_matches_finite_differences(zt):
    z, t = zt
    numeric = numerical_gradient(lambda v: cross_entropy(v, t), z, eps=1e-6)
    np.testing.assert_allclose(cross_entropy_grad(z, t), numeric, atol=1e-8)
    numeric1 = numerical_gradient(lambda v: cross_entropy(v, int(t[0])), z[0], eps=1e-6)
    np.testing.assert_allclose(cross_entropy_grad(z[0], int(t[0])), numeric1, atol=1e-8)


@given(logits_and_targets(elements=st.floats(-1e4, 1e4), with_neg_inf=True))
def test_gradient_is_p_minus_y_over_n_and_finite(zt):
    z, t = zt
    g = cross_entropy_grad(z, t)
    assert np.isfinite(g).all()
    np.testing.assert_allclose(g, (softmax(z) - one_hot(t, z.shape[1])) / len(t), atol=1e-15)
    np.testing.assert_allclose(g.sum(axis=-1), 0.0, atol=1e-12)  # the shift direction is flat
    loss = cross_entropy(z, t)
    assert not math.isnan(loss)
    if np.isfinite(z[np.arange(len(t)), t]).all():
        assert math.isfinite(loss)


def test_impossible_correct_class_gives_infinite_loss_but_finite_gradient():
    assert cross_entropy([0.0, -np.inf], 1) == math.inf
    np.testing.assert_array_equal(cross_entropy_grad([0.0, -np.inf], 1), [1.0, -1.0])


@given(logit_rows(max_rows=1, max_classes=6, elements=st.floats(-10, 10)), st.data())
def test_log_prob_gradient_matches_finite_differences(z, data):
    z = z[0]
    c = data.draw(st.integers(0, len(z) - 1))
    numeric = numerical_gradient(lambda v: float(log_softmax(v)[c]), z)
    np.testing.assert_allclose(log_prob_grad(z, c), numeric, atol=1e-8)


# -- PyTorch as oracle ----------------------------------------------------------------------------------
@settings(max_examples=60)
@given(logits_and_targets(elements=st.floats(-1e4, 1e4), with_neg_inf=True), st.floats(0.05, 20))
def test_against_torch(torch, zt, temperature):
    z, t = zt
    zt_ = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    np.testing.assert_allclose(softmax(z), torch.softmax(zt_, dim=-1).detach().numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(softmax(z, temperature=temperature),
                               torch.softmax(zt_ / temperature, dim=-1).detach().numpy(), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(log_softmax(z), torch.log_softmax(zt_, dim=-1).detach().numpy(), rtol=1e-12)
    if np.isfinite(z).any(axis=0).all():  # every column keeps a finite logit
        np.testing.assert_allclose(softmax(z, axis=0), torch.softmax(zt_, dim=0).detach().numpy(), rtol=1e-12,
                                   atol=1e-300)
    loss = torch.nn.functional.cross_entropy(zt_, torch.tensor(t))
    loss.backward()
    assert math.isclose(cross_entropy(z, t), loss.item(), rel_tol=1e-12, abs_tol=1e-12) or (
        math.isinf(loss.item()) and cross_entropy(z, t) == loss.item()
    )
    np.testing.assert_allclose(cross_entropy_grad(z, t), zt_.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_against_torch_single_example_and_float32(torch):
    z = np.array([1.0, 2.0, 3.0])
    zt_ = torch.tensor(z, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(zt_, torch.tensor(1))
    loss.backward()
    assert math.isclose(cross_entropy(z, 1), loss.item(), rel_tol=1e-14)
    np.testing.assert_allclose(cross_entropy_grad(z, 1), zt_.grad.numpy(), rtol=1e-14)
    z32 = np.random.default_rng(0).standard_normal((5, 7)).astype(np.float32) * 100
    np.testing.assert_allclose(softmax(z32), torch.softmax(torch.tensor(z32), -1).numpy(), rtol=2e-6, atol=1e-30)


def test_activations_against_torch(torch):
    x = np.linspace(-800, 800, 4001)
    xt = torch.tensor(x, requires_grad=True)
    np.testing.assert_allclose(sigmoid(x), torch.sigmoid(xt).detach().numpy(), rtol=1e-14, atol=1e-300)
    np.testing.assert_array_equal(relu(x), torch.relu(xt).detach().numpy())
    torch.relu(xt).sum().backward()
    np.testing.assert_array_equal(relu_derivative(x), xt.grad.numpy())  # torch also uses 0 at x = 0
    np.testing.assert_array_equal(heaviside(x), torch.heaviside(xt.detach(), torch.tensor(0.5, dtype=torch.float64)))


# -- two classes and K - 1 parameters -----------------------------------------------------------------
@given(st.floats(-50, 50), st.floats(-50, 50))
def test_two_class_softmax_is_a_sigmoid_of_the_difference(x1, x2):
    s = sigmoid(x1 - x2)
    np.testing.assert_allclose(softmax([x1, x2]), [s, 1 - s], atol=1e-15)


@given(logit_rows(max_rows=1, max_classes=6), st.data())
def test_anchored_logits_keep_the_distribution(z, data):
    z = z[0]
    i = data.draw(st.integers(0, len(z) - 1))
    a = anchor_logits(z, index=i)
    assert a[i] == 0
    np.testing.assert_allclose(softmax(a), softmax(z), rtol=1e-12, atol=1e-300)


# -- entropy -------------------------------------------------------------------------------------------
@given(logit_rows(max_rows=1, elements=st.floats(-20, 20), with_neg_inf=True))
def test_entropy_matches_scipy_and_is_between_0_and_log_k(z):
    from scipy.stats import entropy as scipy_entropy

    p = softmax(z[0])
    h = entropy(p)
    assert math.isclose(h, scipy_entropy(p), rel_tol=1e-9, abs_tol=1e-12)
    assert 0 <= h <= math.log(len(p)) + 1e-12


def test_entropy_extremes():
    assert entropy([0.0, 1.0, 0.0]) == 0.0
    assert math.isclose(entropy(np.full(4, 0.25)), math.log(4))


# -- activations --------------------------------------------------------------------------------------
@given(st.floats(-700, 700))
def test_sigmoid_matches_scipy_and_is_symmetric(x):
    from scipy.special import expit

    assert math.isclose(sigmoid(x), expit(x), rel_tol=1e-14, abs_tol=1e-300)
    assert math.isclose(sigmoid(x) + sigmoid(-x), 1.0, rel_tol=1e-15)


def test_sigmoid_never_overflows():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert sigmoid(-1e308) == 0.0 and sigmoid(1e308) == 1.0 and sigmoid(-np.inf) == 0.0


@given(st.floats(-100, 100).filter(lambda v: abs(v) > 1e-3))
def test_relu_derivative_is_heaviside_where_it_exists(x):
    numeric = (relu(x + 1e-6) - relu(x - 1e-6)) / 2e-6
    assert relu_derivative(x) == heaviside(x) == pytest.approx(numeric, abs=1e-6)


def test_relu_has_no_derivative_at_zero():
    h = 1e-8
    left, right = (relu(0.0) - relu(-h)) / h, (relu(h) - relu(0.0)) / h
    assert (left, right) == (0.0, 1.0)
    assert relu_derivative(0.0) == 0.0 and relu_derivative(0.0, at_zero=0.5) == heaviside(0.0) == 0.5
    with pytest.raises(ValueError, match="subgradient"):
        relu_derivative(0.0, at_zero=2.0)


@given(hnp.arrays(np.float64, st.integers(1, 5), elements=st.floats(-9, 9)))
def test_two_definitions_of_relu_through_heaviside(x):
    np.testing.assert_array_equal(relu_from_heaviside(x, "product"), relu(x))
    np.testing.assert_allclose(relu_from_heaviside(x, "integral", steps=200), relu(x), atol=1e-12)


@given(st.floats(0.1, 200), st.floats(0.01, 3))
def test_step_gap_is_the_worst_case_and_steepness_inverts_it(k, delta):
    xs = np.concatenate([np.linspace(delta, delta + 50, 2001), -np.linspace(delta, delta + 50, 2001)])
    worst = float(np.max(np.abs(sigmoid(k * xs) - heaviside(xs))))
    assert math.isclose(step_gap(k, delta), worst, rel_tol=1e-6, abs_tol=1e-15)  # 1 - sigmoid loses digits
    eps = step_gap(k, delta)
    assume(1e-12 < eps < 0.5)
    assert math.isclose(steepness_for_gap(eps, delta), k, rel_tol=1e-6)


def test_sigmoid_of_kx_tends_to_heaviside():
    x = np.array([-0.5, -0.01, 0.0, 0.01, 0.5])
    gaps = [np.max(np.abs(sigmoid(k * x) - heaviside(x))) for k in (1, 10, 100, 1000, 10000)]
    assert all(a > b for a, b in zip(gaps, gaps[1:])) and gaps[-1] < 1e-40
    assert sigmoid(1e6 * 0.0) == heaviside(0.0) == 0.5


# -- sigmoid network == tanh network -----------------------------------------------------------------
@settings(max_examples=40)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.integers(1, 6), st.integers(1, 4))
def test_tanh_network_computes_the_same_function(seed, d, m, k):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet.random(rng, d, m, k, scale=2.0)
    x = 3 * rng.standard_normal((20, d))
    y = net(x, "sigmoid")
    twin = tanh_net_from_sigmoid(net)
    np.testing.assert_allclose(twin(x, "tanh"), y, atol=1e-13)
    np.testing.assert_array_equal(twin.w1, net.w1 / 2)
    np.testing.assert_array_equal(twin.b1, net.b1 / 2)
    np.testing.assert_array_equal(twin.w2, net.w2 / 2)
    np.testing.assert_allclose(twin.b2, net.b2 + net.w2.sum(axis=1) / 2, rtol=1e-15)
    wrong = tanh_net_from_sigmoid(net, SEED_IDENTITY)
    assert np.max(np.abs(wrong(x, "tanh") - y)) > 1e-3


def test_sigmoid_tanh_identities():
    u = np.linspace(-30, 30, 601)
    assert np.max(np.abs(sigmoid_via_tanh(u, CORRECT_IDENTITY) - sigmoid(u))) < 1e-15
    assert np.max(np.abs(sigmoid_via_tanh(u, SEED_IDENTITY) - sigmoid(u))) > 0.1
    np.testing.assert_allclose(np.tanh(u), 2 * sigmoid(2 * u) - 1, atol=1e-15)  # the seed's (correct) first step


def test_network_shapes_and_errors():
    net = TwoLayerNet([[1.0, 2.0]], [0.0], [[1.0], [2.0]], [0.0, 1.0])
    assert net([1.0, 1.0]).shape == (2,) and net(np.ones((4, 2)), "tanh").shape == (4, 2)
    with pytest.raises(ValueError, match="inconsistent shapes"):
        TwoLayerNet([[1.0, 2.0]], [0.0, 1.0], [[1.0]], [0.0])
    with pytest.raises(ValueError, match="2 features"):
        net([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="activation"):
        net([1.0, 1.0], "relu6")
    with pytest.raises(TypeError, match="TwoLayerNet"):
        tanh_net_from_sigmoid("net")


# -- clear errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: softmax([]), ValueError, "empty"),
        (lambda: softmax(np.zeros((3, 0))), ValueError, "empty"),
        (lambda: softmax(2.0), ValueError, "at least one dimension"),
        (lambda: softmax([1.0, np.nan]), ValueError, "NaN"),
        (lambda: softmax([1.0, np.inf]), ValueError, r"\+inf"),
        (lambda: softmax([-np.inf, -np.inf]), ValueError, "all -inf|every logit"),
        (lambda: softmax([[0.0, 1.0], [-np.inf, -np.inf]]), ValueError, r"index \(1,\)"),
        (lambda: log_softmax([-np.inf]), ValueError, "-inf"),
        (lambda: logsumexp([-np.inf, -np.inf]), ValueError, "-inf"),
        (lambda: softmax(["a", "b"]), TypeError, "numbers"),
        (lambda: softmax([1.0, 2.0], axis=2), ValueError, "axis 2 is out of range"),
        (lambda: softmax([1.0, 2.0], axis=0.5), TypeError, "axis"),
        (lambda: softmax([1.0, 2.0], temperature=0), ValueError, "temperature must be > 0"),
        (lambda: softmax([1.0, 2.0], temperature=-1), ValueError, "temperature"),
        (lambda: softmax([1.0, 2.0], temperature=np.inf), ValueError, "finite"),
        (lambda: cross_entropy([1.0, 2.0, 3.0], 3), ValueError, "out of range.*0 to 2"),
        (lambda: cross_entropy([1.0, 2.0, 3.0], -1), ValueError, "out of range"),
        (lambda: cross_entropy([[1.0, 2.0]], [5]), ValueError, "target 5 is out of range"),
        (lambda: cross_entropy([1.0, 2.0, 3.0], 1.0), TypeError, "integer"),
        (lambda: cross_entropy([1.0, 2.0, 3.0], True), TypeError, "class index"),
        (lambda: cross_entropy([[1.0, 2.0]], 0), ValueError, r"shape \(1,\)"),
        (lambda: cross_entropy([[1.0, 2.0]], [0, 1]), ValueError, "one class per row"),
        (lambda: cross_entropy(np.zeros((1, 2, 3)), [[0, 0]]), ValueError, r"\(K,\) or \(N, K\)"),
        (lambda: cross_entropy([], 0), ValueError, "empty"),
        (lambda: cross_entropy([-np.inf, -np.inf], 0), ValueError, "-inf"),
        (lambda: cross_entropy_grad([1.0, 2.0], 2), ValueError, "out of range"),
        (lambda: log_prob_grad([[1.0, 2.0]], 0), ValueError, "one vector"),
        (lambda: one_hot([0, 3], 3), ValueError, "out of range"),
        (lambda: entropy([0.5, 0.6]), ValueError, "sum to 1"),
        (lambda: entropy([1.5, -0.5]), ValueError, "probabilities"),
        (lambda: sigmoid([np.nan]), ValueError, "NaN"),
        (lambda: anchor_logits([-np.inf, 1.0], 0), ValueError, "finite"),
        (lambda: anchor_logits([1.0, 2.0], 2), ValueError, "out of range"),
        (lambda: relu_from_heaviside([1.0], "sum"), ValueError, "product"),
        (lambda: relu_from_heaviside([-20.0], "integral"), ValueError, "lower"),
        (lambda: steepness_for_gap(0.5, 1.0), ValueError, "eps must be < 1/2"),
        (lambda: step_gap(0, 1.0), ValueError, "k must be > 0"),
        (lambda: numerical_gradient(sum, [1.0], eps=0), ValueError, "eps"),
    ],
)
def test_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- the seeds' published answers, through the chapter's exercises --------------------------------------
def test_seed_answers_that_are_right_are_accepted_and_the_wrong_identity_is_not():
    from nnbook import exercises

    # the book's exercises use fresh numbers; on the seed's own numbers the seed's answers check out
    def on_seed_numbers(exercise_id, **params):
        return exercises.get(exercise_id)._spec.instance(params, None)

    assert on_seed_numbers("softmax-probabilities", z=(1.0, 2.0, 3.0)).check("0.09, 0.24, 0.67")
    assert on_seed_numbers("softmax-log-prob-gradient", z=(1.0, 2.0, 3.0), c=2).check("-0.09, 0.76, -0.67")
    assert on_seed_numbers("softmax-pushed-down-most", z=(1.0, 2.0, 3.0), c=2).check("logit 3")
    assert exercises.check("softmax-gradient-formula", "$P_i - y_i$")
    assert exercises.check("softmax-relu-at-zero", "it does not exist")
    seed_identity = "$\\sigma(x) = \\tfrac12 \\tanh(\\tfrac{x}{2} + 1)$"
    assert not exercises.check("softmax-sigmoid-tanh-identity", seed_identity)
    # the seed's final mapping (halve w1, b1 and w2; add half the sum of w2 to the output bias) is right
    assert exercises.check("softmax-tanh-network", "0.5, 0.25, 1, 0")
