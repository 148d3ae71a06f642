"""The autodiff chapter's exercises: metadata everywhere, the chapter's slips named, variants that never
repeat a worked example, and the new jvp/vjp/linear-layer exercises against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from nnbook.exercises import catalog, check, get
from nnbook.exercises import autodiff as ex_ad

AUTODIFF = catalog("autodiff")


@pytest.mark.parametrize("ex", AUTODIFF, ids=lambda e: e.id)
def test_every_exercise_has_metadata_and_a_second_hint(ex):
    assert ex.objective and ex.section and ex.difficulty in (1, 2, 3) and 1 <= ex.minutes <= 15
    assert len(ex.hint_ladder) >= 2, ex.id


@pytest.mark.parametrize("ex", [e for e in AUTODIFF if e.kind != "choice" and e.id != "autodiff-random-primal"],
                         ids=lambda e: e.id)
def test_numeric_exercises_declare_a_mistake_that_fires_somewhere(ex):
    assert ex._spec.mistakes, ex.id
    fired = set()
    for inst in [ex] + [ex.variant(seed) for seed in range(12)]:
        for name, value, _ in inst.mistake_values():
            result = inst.check(list(value) if isinstance(value, tuple) else value)
            assert not result
            fired.add(result.mistake)
    assert fired, ex.id


WORKED = {"autodiff-baydin": ex_ad.WORKED_BAYDIN, "autodiff-q4": ex_ad.WORKED_Q4,
          "autodiff-residual": ex_ad.WORKED_RESIDUAL, "autodiff-jvp": ex_ad.WORKED_PRODUCTS,
          "autodiff-vjp": ex_ad.WORKED_PRODUCTS}


@pytest.mark.parametrize("prefix", sorted(WORKED))
def test_variants_never_repeat_the_chapters_worked_example(prefix):
    worked = WORKED[prefix]
    for ex in (e for e in AUTODIFF if e.id.startswith(prefix)):
        for seed in range(60):
            params = ex.variant(seed).params
            assert not all(params[k] == v for k, v in worked.items()), (ex.id, seed)


def test_q4_asks_for_four_decimals_and_names_the_rounding_slip():
    ex = get("autodiff-q4-gradient")  # the chapter's (3, 6): x̄1 = -0.153466
    assert check("autodiff-q4-gradient", "-0.1535, 11.9877")
    slip = check("autodiff-q4-gradient", "-0.1534, 11.9877")
    assert not slip and slip.mistake == "rounded before adding" and "before" in slip.message
    assert not check("autodiff-q4-gradient", "-0.153, 11.988")
    forgot = check("autodiff-q4-gradient", [-np.sin(3.0), 12.0])
    assert forgot.mistake == "forgot the path through 1/(x1 + x2)"
    answer = list(get("autodiff-q4-forward").answer)
    answer[-2:] = [-0.1534, -0.1534]
    assert check("autodiff-q4-forward", answer).mistake == "rounded before adding"
    assert ex.tolerance < 1e-4


def test_overwriting_an_adjoint_is_recognised():
    rows, _ = ex_ad._sweep(ex_ad.trace(ex_ad.baydin, 2.0, 5.0), accumulate=False)
    result = check("autodiff-baydin-adjoint", rows)
    assert not result and result.mistake == "overwrote instead of accumulating" and "+=" in result.message


def test_skip_connection_exercise():
    ex = get("autodiff-residual-input")
    assert ex.answer == pytest.approx(0.6)
    assert check("autodiff-residual-input", -0.4).mistake == "forgot the skip path"
    assert check("autodiff-residual-input", 1.0).mistake == "forgot the block path"


def test_random_formulas_are_never_degenerate():
    for seed in range(80):
        v = get("autodiff-random-gradient").variant(seed)
        assert not ex_ad._degenerate(v.params["formula"]) and any(abs(g) > 1e-12 for g in v.answer)


def test_new_exercises_against_torch(torch):
    for seed in [None, 0, 1, 2, 3]:
        jv = get("autodiff-jvp") if seed is None else get("autodiff-jvp").variant(seed)
        p = jv.params
        x = (torch.tensor(p["x1"], dtype=torch.float64), torch.tensor(p["x2"], dtype=torch.float64))
        u = (torch.tensor(p["u1"], dtype=torch.float64), torch.tensor(p["u2"], dtype=torch.float64))
        f = lambda a, b: (a * b, a + torch.sin(b))  # noqa: E731
        _, t_ju = torch.func.jvp(f, x, u)
        assert jv.answer == pytest.approx(tuple(t.item() for t in t_ju), rel=1e-12, abs=1e-12)
        vj = get("autodiff-vjp") if seed is None else get("autodiff-vjp").variant(seed)
        p = vj.params
        x = (torch.tensor(p["x1"], dtype=torch.float64), torch.tensor(p["x2"], dtype=torch.float64))
        _, pullback = torch.func.vjp(f, *x)
        t_wj = pullback((torch.tensor(p["u1"], dtype=torch.float64), torch.tensor(p["u2"], dtype=torch.float64)))
        assert vj.answer == pytest.approx(tuple(t.item() for t in t_wj), rel=1e-12, abs=1e-12)
        lin = get("autodiff-linear-backward") if seed is None else get("autodiff-linear-backward").variant(seed)
        q = lin.params
        w = torch.tensor([[q["w11"], q["w12"]], [q["w21"], q["w22"]]], dtype=torch.float64, requires_grad=True)
        xx = torch.tensor([q["x1"], q["x2"]], dtype=torch.float64, requires_grad=True)
        torch.nn.functional.linear(xx, w).backward(torch.tensor([q["d1"], q["d2"]], dtype=torch.float64))
        assert lin.answer == tuple(w.grad.flatten().tolist()) + tuple(xx.grad.tolist())
    d = get("autodiff-dual")
    assert d.answer == (2.0**3 - 4, (3 * 4 - 2) * 3.0)


def test_find_the_wrong_row():
    ex = get("autodiff-find-the-wrong-row")
    assert ex.answer == "$\\dot v_3$" and check("autodiff-find-the-wrong-row", "$\\dot v_3$")
    downstream = check("autodiff-find-the-wrong-row", "$\\dot v_5$")
    assert not downstream and downstream.mistake == "a row downstream of the slip"
    for seed in range(30):
        v = ex.variant(seed)
        rows = ex_ad._student_table(**v.params)
        right = ex_ad.forward_trace(ex_ad.seed_q4, v.params["x1"], v.params["x2"])
        correct = [r.value for r, _ in right.rows if r.kind == "step"] + [d.value for _, d in right.rows
                                                                            if d.kind == "step"]
        first = next(i for i, ((_, _, shown), c) in enumerate(zip(rows, correct)) if abs(shown - c) > 1e-9)
        assert v.answer == ex_ad._ROW_CHOICES[first], (seed, v.params)
