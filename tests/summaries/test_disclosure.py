"""The disclosure rule figure by figure, and complementary suppression over related cells;
every expected number is written by hand."""

from __future__ import annotations

from collections import Counter

from grievance.summaries.disclosure import (Relation, Thresholds, benchmark_figure, count_figure, days_figure,
                                            percentile, rate_figure, share_figure, suppress, thresholds)
from grievance.summaries.tables import (BENCHMARK, COMPLEMENTARY, COUNT, NO_DATA, SHARE, SMALL, TOO_FEW, Figure)

LIMITS = Thresholds()


def test_counts_of_one_to_four_workers_are_small_and_zero_is_zero():
    assert count_figure(0, LIMITS) == Figure(COUNT, 0, 0)
    for workers in (1, 4):
        assert count_figure(workers, LIMITS) == Figure(COUNT, None, None, SMALL)
    assert count_figure(5, LIMITS) == Figure(COUNT, 5, 5)


def test_a_share_needs_ten_workers_behind_it():
    assert share_figure(6, 9, 9, LIMITS) == Figure(SHARE, None, None, TOO_FEW)
    assert share_figure(6, 10, 10, LIMITS) == Figure(SHARE, 0.6, 10)
    assert share_figure(0, 0, 0, LIMITS).suppressed == NO_DATA


def test_median_and_ninetieth_percentile_from_tenths_of_days():
    # 10 cases: 4 at half a day, 3 at one day, 2 at three days, 1 at eight days.
    histogram = Counter({5: 4, 10: 3, 30: 2, 80: 1})
    assert percentile(histogram, 0.5) == 1.0   # the 5th case
    assert percentile(histogram, 0.9) == 3.0   # the 9th case
    assert days_figure(histogram, 10, 0.5, LIMITS).value == 1.0
    assert days_figure(histogram, 10, 0.9, LIMITS).n == 10
    assert days_figure(histogram, 9, 0.5, LIMITS).suppressed == TOO_FEW
    assert days_figure(Counter(), 12, 0.5, LIMITS).suppressed == NO_DATA


def test_a_rate_per_thousand_hides_with_its_count():
    assert rate_figure(count_figure(20, LIMITS), 400).value == 50.0
    assert rate_figure(count_figure(3, LIMITS), 400).suppressed == SMALL
    assert rate_figure(Figure(COUNT, None, None, COMPLEMENTARY), 400).suppressed == COMPLEMENTARY
    assert rate_figure(count_figure(20, LIMITS), None).suppressed == NO_DATA


def test_the_benchmark_needs_three_others_none_above_85_percent():
    country = share_figure(30, 40, 40, LIMITS)
    assert benchmark_figure(country, [20, 20], LIMITS).suppressed == BENCHMARK
    assert benchmark_figure(country, [20, 20, 0], LIMITS).suppressed == BENCHMARK  # a factory with none adds nothing
    assert benchmark_figure(country, [10, 15, 15], LIMITS) == country
    assert benchmark_figure(country, [90, 4, 3, 3], LIMITS).suppressed == BENCHMARK  # one holds 90 %


def test_a_lonely_hidden_cell_takes_the_smallest_shown_part_with_it():
    values = {"all": 20, "a": 3, "b": 7, "c": 10}
    figures = suppress(values, [Relation("all", ("a", "b", "c"))], LIMITS)
    assert figures["a"].suppressed == SMALL
    assert figures["b"].suppressed == COMPLEMENTARY
    assert figures["c"].value == 10 and figures["all"].value == 20


def test_a_zero_is_no_cover_and_the_total_goes_when_nothing_else_can():
    # Hiding the 0 would still give the small cell away (a hidden cell is 0 or at least 5).
    figures = suppress({"all": 14, "a": 2, "z": 0, "b": 12}, [Relation("all", ("a", "z", "b"))], LIMITS)
    assert figures["z"] == Figure(COUNT, 0, 0) and figures["b"].suppressed == COMPLEMENTARY
    figures = suppress({"all": 3, "a": 3, "z": 0}, [Relation("all", ("a", "z"))], LIMITS)
    assert figures["all"].suppressed == SMALL and figures["a"].suppressed == SMALL
    figures = suppress({"all": 8, "a": 2, "z": 0}, [Relation("all", ("a", "z"))], LIMITS)
    assert figures["all"].suppressed == COMPLEMENTARY  # only the total was left to hide


def test_suppression_spreads_through_linked_relations_until_none_is_alone():
    # Two months and their quarter, in two categories: a grid with relations both ways.
    values = {("a", "m1"): 3, ("a", "m2"): 8, ("a", "q"): 11,
              ("b", "m1"): 9, ("b", "m2"): 6, ("b", "q"): 15,
              ("all", "m1"): 12, ("all", "m2"): 14, ("all", "q"): 26}
    relations = [Relation(("all", p), (("a", p), ("b", p))) for p in ("m1", "m2", "q")]
    relations += [Relation((row, "q"), ((row, "m1"), (row, "m2"))) for row in ("a", "b", "all")]
    figures = suppress(values, relations, LIMITS)
    hidden = {key for key, figure in figures.items() if not figure.shown}
    # a/m1 is small; month m1 then loses b/m1, row a loses a/m2, row b loses b/m2; month m2
    # then has two hidden cells already.
    assert hidden == {("a", "m1"), ("a", "m2"), ("b", "m1"), ("b", "m2")}
    for relation in relations:
        assert sum(not figures[key].shown for key in (relation.total, *relation.parts)) != 1


def test_thresholds_may_be_raised_never_lowered(app):
    app.config["DISCLOSURE_MIN_WORKERS"] = 10
    app.config["DISCLOSURE_MIN_WORKERS_FOR_STATISTICS"] = 3
    with app.app_context():
        limits = thresholds()
        assert count_figure(7, limits).suppressed == SMALL
        assert share_figure(5, 9, 9, limits).suppressed == TOO_FEW


def test_hidden_cells_that_could_only_hold_one_value_each_take_another_with_them():
    # 1 worker in a, 5 in b, 10 in c, 16 in all: hiding a and b leaves 6 between them, and a
    # "fewer than 5" beside a cell of at least 5 can then only be 1 and 5.
    figures = suppress({"all": 16, "a": 1, "b": 5, "c": 10}, [Relation("all", ("a", "b", "c"))], LIMITS)
    assert figures["a"].suppressed == SMALL and figures["b"].suppressed == COMPLEMENTARY
    assert figures["c"].suppressed == COMPLEMENTARY and figures["all"].value == 16
    # With 7 between them (1 + 6, or 2 + 5) nothing is pinned: c stays.
    figures = suppress({"all": 17, "a": 1, "b": 6, "c": 10}, [Relation("all", ("a", "b", "c"))], LIMITS)
    assert figures["c"].value == 10


def test_a_share_of_workers_with_a_small_part_or_rest_is_hidden_like_the_count_it_is():
    assert share_figure(3, 12, 12, LIMITS, of_workers=True).suppressed == TOO_FEW  # three gave their name
    assert share_figure(11, 12, 12, LIMITS, of_workers=True).suppressed == TOO_FEW  # one did not
    assert share_figure(6, 12, 12, LIMITS, of_workers=True) == Figure(SHARE, 0.5, 10)
    assert share_figure(0, 12, 12, LIMITS, of_workers=True).value == 0.0  # none: nothing to single out
    # A share of cases (acknowledged in time) is not a count of workers: 11 of 12 shows.
    assert share_figure(11, 12, 12, LIMITS) == Figure(SHARE, 0.92, 10)
