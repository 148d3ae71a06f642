"""The figure palette (nnbook.plots.palette): colour-blind safe fills, readable text (WCAG 2.1 AA)."""

from __future__ import annotations

import itertools

import pytest

from nnbook.plots import palette as P


def test_contrast_matches_the_wcag_definition():
    # Reference values from the WCAG 2.1 definition (and WebAIM's contrast checker).
    assert P.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert P.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert P.contrast("#0072b2", "#ffffff") == pytest.approx(5.19, abs=0.01)
    assert P.contrast("#55a868", "#ffffff") == pytest.approx(2.92, abs=0.01)  # the old output-label green
    assert P.contrast("#123456", "#123456") == pytest.approx(1.0)
    assert P.contrast("red", "white") == P.contrast("white", "red")


@pytest.mark.parametrize("name", sorted(P.TEXT))
def test_text_colours_read_on_white(name):
    assert P.contrast(P.TEXT[name], "white") >= P.AA_TEXT, name


@pytest.mark.parametrize("role", sorted(P.ROLES))
def test_labels_on_every_fill_read(role):
    fill = P.ROLES[role]
    assert P.contrast(fill, P.text_on(fill)) >= P.AA_TEXT, role


@pytest.mark.parametrize("a, b", P.PAIRED_ROLES)
def test_paired_roles_differ_in_lightness_not_only_hue(a, b):
    # Orange vs green cells used to differ by 1.04:1: the same grey for a colour-blind reader.
    assert P.contrast(P.ROLES[a], P.ROLES[b]) >= 1.5, (a, b)


def test_fills_are_okabe_ito_or_grey():
    allowed = set(P.OKABE_ITO.values())
    for role, colour in P.ROLES.items():
        r, g, b = P._rgb(colour)
        assert colour in allowed or (r == g == b), f"{role}: {colour} is neither Okabe-Ito nor grey"


def test_cycle_neighbours_are_distinct():
    for a, b in itertools.pairwise(P.CYCLE):
        assert a != b
    assert len(set(P.CYCLE)) == len(P.CYCLE)


def test_text_on_picks_the_better_of_black_and_white():
    for colour in list(P.OKABE_ITO.values()) + ["#ffffff", "#808080", "#111111"]:
        choice = P.text_on(colour)
        other = "#ffffff" if choice == "#000000" else "#000000"
        assert P.contrast(colour, choice) >= P.contrast(colour, other)
