"""The synthetic returns obey the rules real returns obey (returns_spec.md section 5).

Checks are written directly against the generated tables with plain pandas, one rule per test,
on two LAs (a small London borough and a large county at reduced scale) across all years.
"""

from __future__ import annotations

import pandas as pd
import pytest

from data.synth.generate import generate_la
from data.synth.latent import draw_factors

YEARS = range(2017, 2027)
ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"


@pytest.fixture(scope="module")
def returns() -> dict[str, pd.DataFrame]:
    factors = draw_factors(3)
    parts = [
        generate_la(factors[code], YEARS, 3, scale=s) for code, s in (("202", 1.0), ("886", 0.25))
    ]
    return {name: pd.concat([p[name] for p in parts], ignore_index=True) for name in parts[0]}


def _by_child(episodes: pd.DataFrame) -> pd.DataFrame:
    return episodes.sort_values(["year", "la_code", "child", "decom"]).reset_index(drop=True)


def test_903_episodes_do_not_overlap_and_x1_chains_join(returns: dict[str, pd.DataFrame]) -> None:
    ep = _by_child(returns["cla_episode"])
    same = (ep[["year", "la_code", "child"]] == ep[["year", "la_code", "child"]].shift(-1)).all(
        axis=1
    )
    nxt = ep["decom"].shift(-1)
    assert (ep["dec"].isna() | (ep["dec"] >= ep["decom"])).all()
    # Only the latest episode of a child in a return may be open.
    assert not (ep["dec"].isna() & same).any()
    # No overlaps: each episode ends on or before the next one starts.
    assert (ep.loc[same, "dec"] <= nxt[same]).all()
    # Every X1 is followed by an episode starting the same day.
    x1 = ep["rec"] == "X1"
    assert (same[x1]).all()
    assert (ep.loc[x1, "dec"] == nxt[x1]).all()


def test_rne_s_starts_each_period_of_care_and_nowhere_else(
    returns: dict[str, pd.DataFrame],
) -> None:
    ep = _by_child(returns["cla_episode"])
    prev_same = (ep[["year", "la_code", "child"]] == ep[["year", "la_code", "child"]].shift(1)).all(
        axis=1
    )
    prev_rec = ep["rec"].shift(1)
    continues = prev_same & (prev_rec == "X1")
    assert (ep.loc[continues, "rne"] != "S").all()
    # A new period (previous episode ended with a real exit) starts with S.
    new_period = prev_same & prev_rec.notna() & (prev_rec != "X1")
    assert (ep.loc[new_period, "rne"] == "S").all()
    # RNE L keeps the placement; P, B, T and U change it.
    lrow = continues & (ep["rne"] == "L")
    assert (ep.loc[lrow, "place"].to_numpy() == ep["place"].shift(1)[lrow].to_numpy()).all()


def test_exits_agree_with_age_and_adoption_records(returns: dict[str, pd.DataFrame]) -> None:
    ep = returns["cla_episode"]
    age = (
        ep["dec"]
        - ep.merge(returns["cla_header"], on=["year", "la_code", "child"], how="left")[
            "dob"
        ].to_numpy()
    )
    e17 = ep["rec"] == "E17"
    assert (age[e17] >= pd.Timedelta(days=18 * 365)).all()
    adopted = ep[ep["rec"].isin(["E11", "E12"])][["year", "la_code", "child", "dec"]]
    ad1 = returns["cla_ad1"].merge(adopted, on=["year", "la_code", "child"], how="inner")
    assert len(ad1) == len(adopted) > 0
    assert (ad1["date_int"] <= ad1["date_match"]).all()
    assert (ad1["date_match"] <= ad1["dec"]).all()
    # The episode before an adoption is an adoption placement.
    prev_place = _by_child(ep)
    prev_place = prev_place[prev_place["rec"].isin(["E11", "E12"])]["place"]
    assert prev_place.str.startswith("A").all()


def test_children_looked_after_have_an_open_cin_episode(returns: dict[str, pd.DataFrame]) -> None:
    ep = returns["cla_episode"]
    in_care_31 = ep[ep["dec"].isna()][["year", "la_code", "child"]].drop_duplicates()
    cin = returns["cin_episode"]
    open_cin = cin[cin["closure_date"].isna()][["year", "la_code", "child_id"]].drop_duplicates()
    joined = in_care_31.merge(
        open_cin,
        left_on=["year", "la_code", "child"],
        right_on=["year", "la_code", "child_id"],
        how="left",
    )
    assert len(joined) > 100
    assert joined["child_id"].notna().all()


def test_cin_dates_fall_inside_their_episode(returns: dict[str, pd.DataFrame]) -> None:
    ep = returns["cin_episode"]
    keys = ["year", "la_code", "episode_id"]
    a = returns["cin_assessment"].merge(ep, on=[*keys, "child_id"])
    assert (a["start_date"] >= a["referral_date"]).all()
    closed = a["closure_date"].notna() & a["authorisation_date"].notna()
    assert (a.loc[closed, "authorisation_date"] <= a.loc[closed, "closure_date"]).all()
    s = returns["cin_s47"].merge(ep, on=[*keys, "child_id"])
    assert (s["start_date"] >= s["referral_date"]).all()
    c = returns["cin_cpp"].merge(ep, on=[*keys, "child_id"])
    assert (c["start_date"] >= c["referral_date"]).all()
    ended = c["end_date"].notna()
    assert (c.loc[ended, "end_date"] >= c.loc[ended, "start_date"]).all()
    assert ((c["closure_date"].isna()) | (c["end_date"].notna())).all()
    # NFA referrals have no assessment.
    nfa = ep[ep["referral_nfa"]][keys]
    assert nfa.merge(returns["cin_assessment"], on=keys).empty


def test_returns_do_not_know_the_future(returns: dict[str, pd.DataFrame]) -> None:
    for table, col in (
        ("cin_episode", "closure_date"),
        ("cin_cpp", "end_date"),
        ("cin_assessment", "authorisation_date"),
        ("cla_episode", "dec"),
        ("cla_missing", "mis_end"),
    ):
        df = returns[table]
        ref = pd.to_datetime(df["year"].astype(str) + "-03-31")
        assert (df[col].isna() | (df[col] <= ref)).all(), table


def test_upns_carry_a_valid_check_letter(returns: dict[str, pd.DataFrame]) -> None:
    upns = returns["cin_child"]["upn"].dropna().unique()
    assert len(upns) > 1000
    for upn in upns[:: max(1, len(upns) // 3000)]:
        assert len(upn) == 13 and upn[1:].isdigit()
        total = sum(int(d) * w for d, w in zip(upn[1:], range(2, 14), strict=True))
        assert upn[0] == ALPHABET[total % 23], upn


def test_second_plans_know_the_first(returns: dict[str, pd.DataFrame]) -> None:
    cpp = returns["cin_cpp"].drop_duplicates(["la_code", "child_id", "start_date"])
    cpp = cpp.sort_values(["la_code", "child_id", "start_date"])
    seen_before = cpp.groupby(["la_code", "child_id"]).cumcount()
    # Plans visible in earlier returns are a lower bound on the recorded count.
    assert (cpp["previous_cpp"].to_numpy() >= seen_before.to_numpy()).all()
    assert (seen_before > 0).sum() > 20


def test_oc2_holds_only_children_looked_after_for_a_year(returns: dict[str, pd.DataFrame]) -> None:
    ep = returns["cla_episode"]
    oc2 = returns["cla_oc2"]
    first_start = ep.groupby(["year", "la_code", "child"])["decom"].min().rename("first")
    m = oc2.merge(first_start.reset_index(), on=["year", "la_code", "child"], how="left")
    ref = pd.to_datetime(m["year"].astype(str) + "-03-31")
    assert m["first"].notna().all()
    assert (m["first"] <= ref - pd.DateOffset(years=1)).all()
    scored = m["sdq_score"].notna()
    assert m.loc[scored, "sdq_score"].between(0, 40).all()
    assert (m["sdq_score"].isna() == m["sdq_reason"].notna()).all()


def test_same_seed_same_rows_different_seed_different_rows() -> None:
    f = draw_factors(5)
    a = generate_la(f["201"], range(2024, 2026), 5)
    b = generate_la(f["201"], range(2024, 2026), 5)
    c = generate_la(draw_factors(6)["201"], range(2024, 2026), 6)
    for name in ("cin_episode", "cla_episode", "cin_assessment_factor"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["cin_episode"].equals(c["cin_episode"])


def test_clean_build_has_no_recording_flaws() -> None:
    f = draw_factors(4)
    clean = generate_la(f["330"], range(2025, 2026), 4, scale=0.3, clean=True)
    flawed = generate_la(f["330"], range(2025, 2026), 4, scale=0.3, clean=False)
    assert not clean["cin_child"]["ethnicity"].isin(["NOBT", "REFU"]).any()
    assert flawed["cin_child"]["ethnicity"].isin(["NOBT", "REFU"]).any()
    assert not clean["cin_child"]["upn_unknown"].isin(["UN5", "UN3"]).any()
    assert clean["cla_episode"]["pl_distance"].notna().all()
    assert flawed["cla_episode"]["pl_distance"].isna().any()
    assert (clean["return_status"]["status"] == "submitted").all()


def test_ethnic_disproportionality_follows_published_pattern(
    returns: dict[str, pd.DataFrame],
) -> None:
    """Mixed and Black children are over-represented among children in need relative to their
    share of the child population, Asian children under-represented (DfE CIN statistics)."""
    ch = returns["cin_child"]
    ch = ch[
        (ch["year"] == 2025) & (ch["la_code"] == "202") & ~ch["ethnicity"].isin(["NOBT", "REFU"])
    ]
    first = ch["ethnicity"].str[0]
    shares = {g: float((first == g).mean()) for g in "WMABO"}
    # London's under-18s (Census 2021, rounded): White 43%, Mixed 11%, Asian 21%, Black 17%.
    assert shares["M"] > 0.11 * 1.2
    assert shares["B"] > 0.17 * 1.1
    assert shares["A"] < 0.21 * 0.8
    assert abs(sum(shares.values()) - 1 + float(ch["ethnicity"].str[0].eq("C").mean())) < 0.02
