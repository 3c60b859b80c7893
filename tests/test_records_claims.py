import dataclasses
import json

import pytest

from reglab import config, records
from reglab.chapter import claims, page


@dataclasses.dataclass(frozen=True)
class Cfg:
    lam: float = 1.0
    seed: int = 0
    scale: str = "paper"


def _run(cfg):
    return records.Record(config=dataclasses.asdict(cfg), history={"loss": [2.0, 1.0]},
                          final={"acc": 0.5 + cfg.lam / 10 + cfg.seed / 100})


def test_record_round_trips_through_json_with_provenance(tmp_path):
    rec = records.run_and_save(_run, Cfg(), tmp_path)
    path = tmp_path / f"{config.config_id(Cfg())}.json"
    assert records.load(path) == rec
    for key in ("git_sha", "reglab", "torch", "python", "device", "date"):
        assert rec.env[key]
    assert rec.seconds >= 0


def test_a_file_that_is_not_a_record_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"nope": 1}))
    with pytest.raises(ValueError, match="not a reglab record"):
        records.load(path)


def test_summarize_gives_mean_std_and_count_over_seeds():
    recs = [_run(c) for c in config.grid(Cfg(), lam=[0.0, 1.0], seed=[0, 2])]
    table = records.summarize(recs, by="lam", metrics=["acc"])
    assert table.loc[1.0, ("acc", "mean")] == pytest.approx(0.61)
    assert table.loc[0.0, ("n", "")] == 2
    assert table.loc[1.0, ("acc", "std")] == pytest.approx(0.02 / 2 ** 0.5)  # sample sd of 0.6, 0.62


CLAIM = claims.Claim("gap", "x beats y", "Table 1", "+7", "gap (points)", low=5.0)
OTHER = claims.Claim("mem", "x memorises little", "Fig. 1", "≈ 0.03", "memorised fraction", high=0.1)
NEGATIVE = claims.Claim("acc", "x is more accurate", "Table 2", "+1.2", "accuracy gain (points)", low=0.0,
                        expected="not reproduced", why="the gain is within seed noise at this size")


def _check(claim_list, measured, scale):
    return page.check({"claims": claims.rows(claim_list, measured, scale), "scale": scale})


def test_a_failing_claim_raises_at_book_and_paper_scale():
    for scale in ("book", "paper"):
        with pytest.raises(claims.ClaimFailed, match="gap \\(points\\) = 3, needs ≥ 5"):
            _check([CLAIM, OTHER], {"gap": 3.0, "mem": 0.02}, scale)


def test_passing_claims_give_a_verdict_table():
    table = _check([CLAIM, OTHER], {"gap": (8.0, "(3 seeds)"), "mem": 0.02}, "book").data
    assert list(table["verdict"]) == ["reproduced"] * 2 and list(table["check"]) == ["≥ 5", "≤ 0.1"]
    assert list(table["ours"]) == ["8 (3 seeds)", "0.02"]


def test_claims_are_not_enforced_at_smoke_scale():
    table = _check([CLAIM], {"gap": 3.0}, "smoke").data
    assert list(table["verdict"]) == ["not checked at this scale"]


def test_a_claim_without_measurement_is_a_clear_error():
    with pytest.raises(KeyError, match="no measurement for claim\\(s\\) mem"):
        _check([CLAIM, OTHER], {"gap": 8.0}, "book")


def test_chapter_verdict_is_reproduced_partly_or_not():
    def verdict(gap, mem):
        return claims.overall(claims.rows([CLAIM, OTHER], {"gap": gap, "mem": mem}, "book"), "book")

    assert verdict(8.0, 0.0) == "reproduced"
    assert verdict(3.0, 0.0) == "partly reproduced"
    assert verdict(3.0, 0.5) == "not reproduced"


def test_an_expected_negative_result_passes_and_makes_the_chapter_partly_reproduced():
    rows = claims.rows([CLAIM, NEGATIVE], {"gap": 8.0, "acc": -0.3}, "book")
    assert [r["verdict"] for r in rows] == ["reproduced", "not reproduced at this scale (expected)"]
    assert claims.overall(rows, "book") == "partly reproduced"
    table = _check([CLAIM, NEGATIVE], {"gap": 8.0, "acc": -0.3}, "book").data
    assert "not reproduced at this scale (expected)" in list(table["verdict"])


def test_an_expected_negative_result_that_holds_fails_the_build():
    with pytest.raises(claims.ClaimFailed, match="expected outside ≥ 0.*revisit"):
        _check([CLAIM, NEGATIVE], {"gap": 8.0, "acc": 2.0}, "book")


def test_an_expected_negative_result_must_say_why():
    with pytest.raises(ValueError, match="say why"):
        claims.Claim("k", "s", "Table 1", "p", "m", low=0, expected="not reproduced")
    with pytest.raises(ValueError, match="expected must be one of"):
        claims.Claim("k", "s", "Table 1", "p", "m", low=0, expected="maybe")


def test_claim_bounds_and_margins():
    assert claims.Claim("k", "s", "Table 1", "p", "m", low=0.0, high=1.0).check == "in [0, 1]"
    assert not OTHER.holds(0.2) and OTHER.holds(0.1)
    assert CLAIM.margin(10.0) == pytest.approx(0.5) and CLAIM.margin(4.0) == pytest.approx(-0.2)
    assert OTHER.margin(0.05) == pytest.approx(0.5)


def test_spread_gives_mean_and_sample_sd_or_the_worst_case():
    assert claims.spread([1.0, 3.0]) == (2.0, f"± {2 ** 0.5:.3g} (2 seeds)")
    assert claims.spread([0.1, 0.3], reduce="max", unit="runs", times=100) == (30.0, "(worst of 2 runs)")


def test_select_filters_by_config_in_seed_order_and_finals_lines_them_up():
    recs = [_run(c) for c in config.grid(Cfg(), seed=[2, 0, 1], lam=[0.0, 1.0])]
    chosen = records.select(recs, lam=1.0)
    assert [r.config["seed"] for r in chosen] == [0, 1, 2]
    assert records.finals(chosen, "acc").tolist() == pytest.approx([0.6, 0.61, 0.62])
    assert records.select(recs, lam=5.0) == []


def test_select_matches_a_tuple_field_before_and_after_a_json_round_trip(tmp_path):
    rec = records.Record(config={"sizes": (3, 1), "seed": 0}, history={}, final={"acc": 1.0})
    reloaded = records.load(records.save(rec, tmp_path / "r.json"))
    assert reloaded.config["sizes"] == [3, 1]  # JSON has no tuples
    for r in (rec, reloaded):
        assert records.select([r], sizes=(3, 1)) == [r] and records.select([r], sizes=[3, 1]) == [r]
    assert records.select([rec], sizes=(1, 3)) == []


def test_finals_filters_by_config_itself():
    recs = [_run(c) for c in config.grid(Cfg(), seed=[1, 0], lam=[0.0, 1.0])]
    assert records.finals(recs, "acc", lam=1.0).tolist() == pytest.approx([0.6, 0.61])


def test_seed_lists_read_as_ranges_and_old_rows_read_as_expected():
    assert claims.seeds_text([0, 1, 2, 3]) == "0–3" and claims.seeds_text([3, 7]) == "3, 7"
    assert claims.seeds_text([0, 2, 5]) == "0, 2, 5" and claims.seeds_text([]) == "—"
    assert claims.as_expected({"ok": True, "holds": False}) and claims.as_expected({"holds": "True"})
    assert not claims.as_expected({"holds": False})


def test_a_claims_where_is_a_place_and_its_kind_follows_from_it():
    assert claims.Claim("k", "s", "Table 2, CIFAR-10", "89.15", "m").kind == "quantitative"
    assert claims.Claim("k", "s", "Fig. 1a, read by eye", "≈ 0.03", "m").kind == "quantitative"
    assert claims.Claim("k", "s", "Thm 3.2", "— (a limit)", "m").kind == "qualitative"
    assert claims.Claim("k", "s (qualitative)", "Abstract", "—", "m").kind == "qualitative"
    assert claims.Claim("k", "s", "this chapter's check", "—", "m").kind == "ours"
    for where in ("abstract", "the paper", "Soudry et al. (2018)", "Figure"):
        with pytest.raises(ValueError, match="must name a place"):
            claims.Claim("k", "s", where, "1", "m")
