"""The budget rule of `make bench` (the benchmarks themselves never run in the test suite)."""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location("benchmarks", Path(__file__).with_name("benchmarks.py"))
benchmarks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(benchmarks)


def test_a_chapter_over_one_and_a_half_budgets_is_flagged_and_others_are_not():
    result = {"chapters": {
        "slow": {"smoke_s": 31.0, "book_s": 100.0, "budget_s": {"smoke": 20, "book": 180}},
        "fine": {"smoke_s": 29.0, "book_s": 269.0, "budget_s": {"smoke": 20, "book": 180}},
        "unbudgeted": {"smoke_s": 999.0, "budget_s": {}},
    }}
    assert benchmarks.over_budget(result) == ["slow at smoke scale took 31 s, budget 20 s"]


def test_interleaved_keeps_the_best_time_of_each_variant():
    calls = []
    best = benchmarks.interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, reps=2)
    assert calls == ["a", "b", "a", "b"] and set(best) == {"a", "b"} and all(t >= 0 for t in best.values())
