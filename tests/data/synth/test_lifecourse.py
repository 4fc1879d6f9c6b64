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
    ordered = _by_child(ep)
    prev_place = ordered[ordered["rec"].isin(["E11", "E12"])]["place"]
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
    # Looked after from 1 April (the day after ref - 1 year) or earlier, as DfE's rules count it.
    assert (m["first"] <= ref - pd.DateOffset(years=1) + pd.Timedelta(days=1)).all()
    scored = m["sdq_score"].notna()
    assert m.loc[scored, "sdq_score"].between(0, 40).all()
    # Either a score or a reason, except under 4 where both are blank (903 rule 188).
    under_4 = m["dob"] + pd.DateOffset(years=4) > ref
    assert (m["sdq_score"].isna() == (m["sdq_reason"].notna() | under_4)).all()
    assert m.loc[under_4, "sdq_reason"].isna().all()


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


# ---- DfE validation rules on clean builds (data/synth/README.md, "Remaining generator defects").
# Each test restates a DfE rule's condition in pandas on a clean build of two LAs; the rule codes
# are the 903 or CIN census validation rules the condition comes from.

KEYS = ["year", "la_code"]
SW_REASONS = {"MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC"}
SW_REASONS |= {"CHCHAN", "PCCHAN", "SWDIED", "OTHERS"}


@pytest.fixture(scope="module")
def clean() -> dict[str, pd.DataFrame]:
    factors = draw_factors(7)
    parts = [
        generate_la(factors[code], range(2023, 2027), 7, scale=s, clean=True)
        for code, s in (("202", 1.0), ("805", 1.0), ("886", 0.2))
    ]
    return {name: pd.concat([p[name] for p in parts], ignore_index=True) for name in parts[0]}


def _ref(df: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(df["year"].astype(str) + "-03-31")


def _age(df: pd.DataFrame, on: pd.Series, dob: str = "dob") -> pd.Series:
    """Whole years of age on ``on`` (birthday rule, as DfE computes ages)."""
    born, at = df[dob], on
    years = at.dt.year - born.dt.year
    before = (at.dt.month < born.dt.month) | (
        (at.dt.month == born.dt.month) & (at.dt.day < born.dt.day)
    )
    return years - before.astype(int)


def test_every_clean_cin_child_has_a_disability_row(clean: dict[str, pd.DataFrame]) -> None:
    kids = clean["cin_child"][[*KEYS, "child_id"]]
    dis = clean["cin_disability"][[*KEYS, "child_id"]].drop_duplicates()
    joined = kids.merge(dis, on=[*KEYS, "child_id"], how="left", indicator=True)
    assert (joined["_merge"] == "both").all()
    assert (clean["cin_disability"]["disability"] == "NONE").mean() > 0.5


def test_initial_conference_recorded_in_one_place(clean: dict[str, pd.DataFrame]) -> None:
    """CIN 2884: never both in CINdetails and in the Section47 module."""
    keys = [*KEYS, "child_id", "episode_id"]
    m = clean["cin_episode"].merge(clean["cin_s47"], on=keys)
    assert m["icpc_date"].notna().sum() > 50
    assert m["date_initial_cpc"].isna().all()


def test_closed_after_assessment_means_no_other_activity(clean: dict[str, pd.DataFrame]) -> None:
    """CIN 2990, 8825Q, 8873Q: RC8/RC9 only after an assessment and with no section 47, plan
    or conference; factor 21 only on such episodes."""
    ep = clean["cin_episode"]
    keys = [*KEYS, "child_id", "episode_id"]
    rc89 = ep[ep["closure_reason"].isin(["RC8", "RC9"])]
    assert len(rc89) > 100
    for table in ("cin_s47", "cin_cpp", "cin_plan"):
        assert rc89.merge(clean[table], on=keys).empty, table
    assert rc89["date_initial_cpc"].isna().all()
    assessed = rc89.merge(clean["cin_assessment"], on=keys, how="left", indicator=True)
    assert (assessed["_merge"] == "both").all()
    factors = clean["cin_assessment_factor"].merge(
        clean["cin_assessment"], on=[*KEYS, "assessment_id"]
    )
    factors = factors.merge(ep, on=keys)
    no_factors = factors[factors["factor"] == "21"]
    assert len(no_factors) > 20
    assert no_factors["closure_reason"].isin(["RC8", "RC9"]).all()


def test_nfa_referrals_close_quickly_without_rc8(clean: dict[str, pd.DataFrame]) -> None:
    """CIN 8569Q and 8825Q: an NFA referral never reaches the next year's return."""
    ep = clean["cin_episode"]
    nfa = ep[ep["referral_nfa"]]
    assert len(nfa) > 50
    start = pd.to_datetime((nfa["year"] - 1).astype(str) + "-04-01")
    assert (nfa["referral_date"] >= start).all()
    assert not nfa["closure_reason"].isin(["RC8", "RC9"]).any()


def test_cin_activity_lies_within_its_episode(clean: dict[str, pd.DataFrame]) -> None:
    """CIN 8565, 4011, 8840, 2991Q."""
    ep = clean["cin_episode"]
    keys = [*KEYS, "child_id", "episode_id"]
    closed = ep[ep["closure_date"].notna()]
    for table, cols in (
        ("cin_assessment", ["start_date", "authorisation_date"]),
        ("cin_s47", ["start_date", "icpc_date"]),
        ("cin_cpp", ["start_date", "end_date"]),
        ("cin_plan", ["start_date", "end_date"]),
    ):
        m = closed.merge(clean[table], on=keys)
        for col in cols:
            assert not (m["closure_date"] < m[col]).any(), (table, col)
    plan = clean["cin_plan"]
    assert not (plan["end_date"] < plan["start_date"]).any()
    cpp = clean["cin_cpp"]
    assert not (cpp["end_date"] <= cpp["start_date"]).any()
    s47 = clean["cin_s47"].merge(
        clean["cin_assessment"][keys].drop_duplicates(), on=keys, how="left", indicator=True
    )
    assert (s47["_merge"] == "both").all()


def test_death_is_dated(clean: dict[str, pd.DataFrame]) -> None:
    """CIN 8585Q: RC2 comes with the child's date of death."""
    ep = clean["cin_episode"]
    died = ep[(ep["closure_reason"] == "RC2")].merge(clean["cin_child"], on=[*KEYS, "child_id"])
    assert died["death_date"].notna().all()
    assert (died["death_date"] == died["closure_date"]).all()


def test_oc2_leaves_blank_what_does_not_apply(clean: dict[str, pd.DataFrame]) -> None:
    """903 542, 546, 188, 193, 158."""
    oc2 = clean["cla_oc2"]
    age = _age(oc2, _ref(oc2))
    assert (age < 4).any() and (age >= 10).any()
    assert oc2.loc[age < 10, "convicted"].isna().all()
    assert oc2.loc[age >= 10, "convicted"].notna().all()
    assert oc2.loc[age >= 5, "health_check"].isna().all()
    assert oc2.loc[age < 4, ["sdq_score", "sdq_reason"]].isna().all().all()
    no_misuse = oc2["substance_misuse"] != 1
    assert oc2.loc[no_misuse, ["intervention_received", "intervention_offered"]].isna().all().all()
    assert oc2.loc[oc2["intervention_received"] == 1, "intervention_offered"].isna().all()


def test_social_worker_episodes_are_complete(clean: dict[str, pd.DataFrame]) -> None:
    """903 SW13STG1, SW01bSTG1, SW02STG1, SW09STG2, SW18STG2, SW19STG2."""
    sw = clean["cla_social_worker"]
    assert len(sw) > 500
    assert sw["sw_reason"].isin(SW_REASONS).all()
    assert ((sw["sw_id"].str.len() >= 4) & sw["sw_id"].str.startswith("SW")).all()
    assert not sw.duplicated([*KEYS, "child", "sw_decom"]).any()
    ended = sw[sw["sw_dec"].notna()]
    lasted = (ended["sw_dec"] - ended["sw_decom"]).dt.days
    # Only a period of care shorter than 3 days can hold a shorter episode.
    assert (lasted >= 3).mean() > 0.99
    assert (lasted > 0).all()


def test_placement_codes_fit_the_year_and_need_urns(clean: dict[str, pd.DataFrame]) -> None:
    """903 146 (2025-26), 218, 178."""
    ep = clean["cla_episode"]
    assert not ep.loc[ep["year"] >= 2026, "place"].isin(["Z1", "H5"]).any()
    exempt = ["P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4"]
    exempt += ["Z1", "Z11", "Z12", "Z13", "Z14"]
    assert ep.loc[~ep["place"].isin(exempt), "urn"].notna().all()
    other = ep["place"].str.startswith("Z")
    assert other.any()
    assert ep.loc[other, "place_provider"].isna().all()
    assert ep.loc[~other, "place_provider"].notna().all()


def test_legal_status_and_placement_fit_the_child(clean: dict[str, pd.DataFrame]) -> None:
    """903 358, 361, 378, 1015, 234, 371 and CUSTOD (10 or over)."""
    ep = clean["cla_episode"].merge(
        clean["cla_header"][[*KEYS, "child", "dob"]], on=[*KEYS, "child"]
    )
    age_start = _age(ep, ep["decom"])
    assert (age_start[ep["ls"] == "J1"] >= 10).all()
    assert (age_start[ep["place"].isin(["K3", "H5"])] >= 16).all()
    assert not ((ep["place"] == "P1") & (ep["ls"] == "V2")).any()
    own = (ep["place_provider"] == "PR1") & ~ep["place"].str[0].isin(["U", "A"])
    assert own.any()
    assert (ep.loc[own, "pl_la"] == ep.loc[own, "la_code"]).all()
    police = ep[ep["ls"] == "L1"]
    assert len(police) > 0
    ends = police["dec"].fillna(_ref(police))
    assert ((ends - police["decom"]).dt.days <= 3).all()
    custody = ep[ep["reason_place_change"] == "CUSTOD"]
    assert (_age(custody, custody["dec"]) >= 10).all()


def test_adoption_details_agree(clean: dict[str, pd.DataFrame]) -> None:
    """903 517, 524, 335, 217, 516."""
    ad = clean["cla_ad1"]
    assert len(ad) > 20
    assert ad.loc[ad["ls_adoptr"] == "L12", "sex_adoptr"].isin(["MM", "FF"]).all()
    assert ad.loc[ad["ls_adoptr"].isin(["L11", "L3"]), "sex_adoptr"].eq("MF").all()
    assert ad.loc[ad["ls_adoptr"] == "L0", "nb_adoptr"].eq(1).all()
    ep = clean["cla_episode"]
    last = ep[ep["rec"].isin(["E11", "E12"])].merge(ad, on=[*KEYS, "child"])
    assert len(last) == len(ad)
    assert (last["foster_care"] == last["place"].isin(["A3", "A5"]).astype(int)).all()
    assert ep.loc[ep["place"].isin(["A3", "A5"]), "rne"].isin(["S", "T", "U"]).all()
    assert ep.loc[ep["rec"].isin(["E45", "E46"]), "place"].str.startswith("U").all()


def test_care_leavers_and_mothers(clean: dict[str, pd.DataFrame]) -> None:
    """903 1016, 628, 625."""
    ep = clean["cla_episode"]
    oc3 = clean["cla_oc3"]
    age = _age(oc3, _ref(oc3))
    young = oc3[age.isin([17, 18])].merge(ep, on=[*KEYS, "child"])
    ages = _age(young, _ref(young))
    birthday = [d + pd.DateOffset(years=int(a)) for d, a in zip(young["dob"], ages, strict=True)]
    assert (young["dec"] < pd.Series(birthday, index=young.index)).all()
    hd = clean["cla_header"].merge(
        ep[[*KEYS, "child"]].drop_duplicates(), on=[*KEYS, "child"], how="left", indicator=True
    )
    assert hd.loc[hd["_merge"] == "left_only", ["mother", "mc_dob"]].isna().all().all()
    last_dec = ep.dropna(subset=["dec"]).groupby([*KEYS, "child"])["dec"].max().rename("last")
    mothers = clean["cla_header"].merge(last_dec.reset_index(), on=[*KEYS, "child"])
    assert not (mothers["mc_dob"] > mothers["last"]).any()
    assert not (clean["cla_header"]["mc_dob"] > _ref(clean["cla_header"])).any()


def test_missing_incidents_do_not_overlap(clean: dict[str, pd.DataFrame]) -> None:
    """903 574."""
    mi = clean["cla_missing"].sort_values([*KEYS, "child", "mis_start"]).reset_index(drop=True)
    assert len(mi) > 50
    same = (mi[[*KEYS, "child"]] == mi[[*KEYS, "child"]].shift()).all(axis=1)
    prev_end = mi["mis_end"].shift()
    assert not (same & (prev_end.isna() | (mi["mis_start"] < prev_end))).any()


def test_adopted_children_do_not_return_under_the_same_id(
    clean: dict[str, pd.DataFrame],
) -> None:
    """903 199, 1003, 334: no episode starts after a child's adoption, in any return."""
    ep = clean["cla_episode"].drop_duplicates(["la_code", "child", "decom"])
    adopted = ep[ep["rec"].isin(["E11", "E12"])].groupby(["la_code", "child"])["dec"].min()
    later = ep.merge(adopted.rename("adopted").reset_index(), on=["la_code", "child"])
    assert len(adopted) > 20
    assert not (later["decom"] >= later["adopted"]).any()
    cin = clean["cin_episode"].drop_duplicates(["la_code", "child_id", "referral_date"])
    back = cin.merge(
        adopted.rename("adopted").reset_index(),
        left_on=["la_code", "child_id"],
        right_on=["la_code", "child"],
    )
    assert not (back["referral_date"] > back["adopted"]).any()


def test_previous_permanence_is_complete_and_earlier(clean: dict[str, pd.DataFrame]) -> None:
    """903 630, 632, INT35."""
    pp = clean["cla_prev_perm"]
    assert not pp.duplicated([*KEYS, "child"]).any()
    some = pp[pp["prev_perm"] != "Z1"]
    assert len(some) > 5
    assert some[["la_perm", "date_perm"]].notna().all().all()
    assert pp.loc[pp["prev_perm"] == "Z1", ["la_perm", "date_perm"]].isna().all().all()
    first = clean["cla_episode"].groupby([*KEYS, "child"])["decom"].min().rename("first")
    m = some.merge(first.reset_index(), on=[*KEYS, "child"])
    assert (m["date_perm"] < m["first"]).all()


def test_no_care_ends_on_31_march(clean: dict[str, pd.DataFrame]) -> None:
    """903 191 and 187: an exit on 31 March would need OC2 and forbid AD1 at once."""
    ep = clean["cla_episode"]
    exits = ep[ep["rec"].notna() & (ep["rec"] != "X1")]
    assert len(exits) > 200
    assert not (exits["dec"] == _ref(exits)).any()
    # And a child looked after from 1 April to 31 March has an OC2 row.
    first = ep.groupby([*KEYS, "child"]).agg(first=("decom", "min"))
    open_end = ep[ep["dec"].isna()][[*KEYS, "child"]].drop_duplicates()
    stayed = first.reset_index().merge(open_end, on=[*KEYS, "child"])
    start = pd.to_datetime((stayed["year"] - 1).astype(str) + "-04-01")
    whole_year = stayed[stayed["first"] <= start]
    # ... and never left care in between (a break restarts the 12 months).
    left = exits[[*KEYS, "child"]].drop_duplicates()
    whole_year = whole_year.merge(left, on=[*KEYS, "child"], how="left", indicator="broke")
    whole_year = whole_year[whole_year["broke"] == "left_only"].drop(columns="broke")
    m = whole_year.merge(clean["cla_oc2"], on=[*KEYS, "child"], how="left", indicator=True)
    assert len(m) > 100
    assert (m["_merge"] == "both").all()


def test_flaws_do_not_change_the_children() -> None:
    """Flaw draws have streams of their own: a clean build is the flawed one minus its flaws."""
    f = draw_factors(4)
    clean = generate_la(f["805"], range(2025, 2026), 4, clean=True)
    flawed = generate_la(f["805"], range(2025, 2026), 4, clean=False)
    keys = [*KEYS, "child_id", "episode_id"]
    cols = [*keys, "referral_date", "closure_date", "closure_reason", "primary_need"]
    pd.testing.assert_frame_equal(clean["cin_episode"][cols], flawed["cin_episode"][cols])
    a = clean["cla_episode"][["child", "decom", "dec", "place", "ls"]]
    b = flawed["cla_episode"][["child", "decom", "dec", "place", "ls"]]
    pd.testing.assert_frame_equal(a, b)
    assert not clean["cin_child"]["ethnicity"].equals(flawed["cin_child"]["ethnicity"])
