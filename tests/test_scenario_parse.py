"""Scenario files: every error kind names the file, the key path (or line:column) and a hint;
a bad file reports all its problems at once; extends, category matching and round trips."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from models.errors import CarecastError, ProblemList, UsageError
from models.sample import SAMPLE_PATH
from scenarios.parse import (
    dumps_scenario,
    label_mismatch,
    load_budget,
    load_scenario,
    match_category,
    resolve_applies_to,
    scenario_to_dict,
)
from scenarios.toml_files import read_toml

with SAMPLE_PATH.open(encoding="utf-8", newline="") as _handle:
    CATEGORIES = sorted({row["Taakveld"] for row in csv.DictReader(_handle, delimiter=";")})

HEAD = '[scenario]\nname = "Test"\n'


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, categories: list[str] | None = None) -> list[CarecastError]:
    with pytest.raises(ProblemList) as caught:
        load_scenario(path, categories)
    assert caught.value.exit_code == 2
    return caught.value.problems


def only(problems: list[CarecastError], where: str) -> CarecastError:
    """The one problem at key path `where` (the entry's name in brackets may follow)."""
    found = [p for p in problems if p.where == where or (p.where or "").startswith(where + " (")]
    assert len(found) == 1, [p.one_line() for p in problems]
    return found[0]


def hint(problem: CarecastError) -> str:
    assert problem.hint is not None, problem.one_line()
    return problem.hint


# --- TOML syntax ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected_hint"),
    [
        ("tariff_percent = 3,5", "use a decimal point: write 3.5"),
        ("tariff_percent = 12.500.000", "write 12500000 or 12_500_000"),
        ("tariff_percent = 1.250.000,50", "write 1250000.50 or 1_250_000.50"),
        ("tariff_percent = 5%", "write the number only: 5"),
        ("tariff_percent = Basis scenario", 'text needs quotes: tariff_percent = "Basis scenario"'),
        ("tariff_percent = 2025-07", 'write 2025-07-01 or "2025-07"'),
        ("tariff_percent = 01-07-2025", "dates are written year first: 2025-07-01"),
        ("tariff_percent = True", "write true (lower case)"),
        ("tariff_percent = 12 500 000", "no spaces in numbers: write 12500000"),
        ("tariff_percent = 2025-02-30", "check the day and month"),
    ],
)
def test_syntax_error_names_line_column_and_a_hint(
    tmp_path: Path, line: str, expected_hint: str
) -> None:
    path = write(tmp_path, "s.toml", HEAD + "\n[[indexation]]\nyear = 2026\n" + line + "\n")
    (problem,) = problems_of(path)
    assert problem.source == str(path)
    assert (problem.line, problem.column) == (6, 18)  # the start of the value
    assert problem.where == "indexation[1].tariff_percent"
    assert expected_hint in hint(problem)
    assert f"{path}:6:18: indexation[1].tariff_percent: " in problem.one_line()


def test_other_syntax_errors_keep_the_column_tomllib_gives(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", HEAD + 'description = "no end\n')
    (problem,) = problems_of(path)
    assert (problem.line, problem.column) == (3, 22)
    assert problem.problem == "text without its closing quote"


def test_names_with_spaces_or_dots_need_quotes(tmp_path: Path) -> None:
    header = HEAD + "[budget]\nunit = 'EUR'\n[budget.categories.6.72a Jeugdhulp begeleiding]\n"
    (problem,) = problems_of(write(tmp_path, "h.toml", header + "2026 = 5\n"))
    assert problem.line == 5
    assert (
        hint(problem) == 'quote category names: [budget.categories."6.72a Jeugdhulp begeleiding"]'
    )
    key = HEAD + "[budget]\nunit = 'EUR'\n[budget.categories]\nJeugdhulp begeleiding = 5\n"
    (problem,) = problems_of(write(tmp_path, "k.toml", key))
    assert hint(problem) == 'quote it: "Jeugdhulp begeleiding" = 5'


def test_a_file_with_dutch_habits_reports_every_problem_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.toml",
        "[indexatie]\njeugdhulp = 3,5\n[budget]\n2025 = 12.500.000\nnaam = Basis scenario\n",
    )
    problems = problems_of(path)
    lines = [p.one_line() for p in problems]
    assert len(problems) == 5, lines
    assert [p.line for p in problems[:4]] == [1, 2, 4, 5]
    assert "write 3.5" in hint(problems[1])
    assert "write 12500000 or 12_500_000" in hint(problems[2])
    assert 'text needs quotes: naam = "Basis scenario"' in hint(problems[3])
    assert only(problems, "indexatie").hint == "did you mean 'indexation'?"
    assert only(problems, "scenario").problem == "the file has no [scenario] table"


def test_a_list_table_written_with_single_brackets_twice(tmp_path: Path) -> None:
    text = HEAD + '[measure]\nname = "a"\n[measure]\nname = "b"\n'
    (problem,) = problems_of(write(tmp_path, "s.toml", text))
    assert problem.line == 5
    assert "write [[measure]]" in hint(problem)


def test_a_single_measure_table_is_not_a_list(tmp_path: Path) -> None:
    text = HEAD + '[measure]\nname = "a"\nstart = 2026-01-01\neffect_percent = -2\n'
    problem = only(problems_of(write(tmp_path, "s.toml", text)), "measure")
    assert problem.line == 3
    assert "write [[measure]]" in hint(problem)


def test_unreadable_files_are_usage_errors_naming_them(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load_scenario(tmp_path / "nope.toml")
    assert caught.value.source == str(tmp_path / "nope.toml")
    assert "not found" in caught.value.problem
    latin = tmp_path / "latin.toml"
    latin.write_bytes(HEAD.encode() + 'description = "café"\n'.encode("cp1252"))
    with pytest.raises(UsageError) as caught:
        load_scenario(latin)
    assert caught.value.line == 3
    assert "UTF-8" in hint(caught.value)


def test_read_toml_gives_data_or_every_syntax_error(tmp_path: Path) -> None:
    good = write(tmp_path, "good.toml", "\ufeffa = 1.5\nb = 2026-07-01\n")
    assert read_toml(good) == {"a": pytest.approx(1.5), "b": date(2026, 7, 1)}
    bad = write(tmp_path, "bad.toml", "a = 3,5\nb = ok\n")
    with pytest.raises(ProblemList) as caught:
        read_toml(bad)
    assert [p.line for p in caught.value.problems] == [1, 2]


# --- keys, values, dates -----------------------------------------------------------------------


def test_a_misspelt_key_gets_the_closest_known_key(tmp_path: Path) -> None:
    text = HEAD + "\n[[volume]]\ngrowth_percent_per_yr = 3.0\nfrom = 2026-01-01\n"
    problems = problems_of(write(tmp_path, "s.toml", text))
    problem = only(problems, "volume[1].growth_percent_per_yr")
    assert problem.line == 5
    assert hint(problem) == "did you mean 'growth_percent_per_year'?"
    assert only(problems, "volume[1].growth_percent_per_year").problem.endswith("is missing")


def test_unknown_tables_are_errors_with_a_suggestion(tmp_path: Path) -> None:
    text = HEAD + "[budgetten]\nunit = 'EUR'\n[begroting]\n"
    problems = problems_of(write(tmp_path, "s.toml", text))
    assert hint(only(problems, "budgetten")) == "did you mean 'budget'?"
    assert hint(only(problems, "begroting")) == "did you mean 'budget'?"


def test_a_percent_that_looks_like_a_fraction_is_an_error(tmp_path: Path) -> None:
    text = HEAD + "[[volume]]\ngrowth_percent_per_year = 0.05\nfrom = 2026-01-01\n"
    problems = problems_of(write(tmp_path, "s.toml", text))
    problem = only(problems, "volume[1].growth_percent_per_year")
    assert problem.problem == "0.05 is 0.05 %; for 5 % write 5"
    assert "unusual_percent_ok = true" in hint(problem)
    negative = HEAD + "[[measure]]\nname = 'm'\nstart = 2026-01-01\neffect_percent = -0.3\n"
    problem = only(problems_of(write(tmp_path, "n.toml", negative)), "measure[1].effect_percent")
    assert problem.problem == "-0.3 is -0.3 %; for -30 % write -30"


def test_unusual_percent_ok_lets_a_small_or_large_rate_through(tmp_path: Path) -> None:
    text = (
        HEAD
        + "[[volume]]\ngrowth_percent_per_year = 0.5\nfrom = 2026-01-01\n"
        + "unusual_percent_ok = true\n"
        + "[[indexation]]\nyear = 2027\ntariff_percent = 60\nunusual_percent_ok = true\n"
    )
    scenario = load_scenario(write(tmp_path, "s.toml", text))
    assert scenario.volume[0].growth_percent_per_year == 0.5
    assert scenario.indexation[0].tariff_percent == 60.0


def test_absurd_percentages_need_attention(tmp_path: Path) -> None:
    text = (
        HEAD
        + "[[indexation]]\nyear = 2027\ntariff_percent = 496\n"
        + "[[measure]]\nname = 'm'\nstart = 2026-01-01\neffect_percent = -150\n"
        + "unusual_percent_ok = true\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    large = only(problems, "indexation[1].tariff_percent")
    assert large.problem == "tariff_percent 496 is above 50 %"
    assert "unusual_percent_ok" in hint(large)
    below = only(problems, "measure[1].effect_percent")
    assert below.problem == "effect_percent -150 is below -100 %"


def test_correction_percent_may_be_small(tmp_path: Path) -> None:
    text = (
        HEAD + "[[indexation]]\nyear = 2025\nova_percent = 4.18\nppc_percent = 1.82\n"
        "correction_percent = 0.4\n"
    )
    (indexation,) = load_scenario(write(tmp_path, "s.toml", text)).indexation
    assert indexation.tariff_percent == 4.344  # 0.9 × 4.18 + 0.1 × 1.82 + 0.4, exactly


def test_a_date_not_on_the_first_of_a_month_is_an_error(tmp_path: Path) -> None:
    text = HEAD + "[[volume]]\ngrowth_percent_per_year = 3\nfrom = 2026-07-15\n"
    problem = only(problems_of(write(tmp_path, "s.toml", text)), "volume[1].from")
    assert problem.line == 5
    assert problem.problem == "from 2026-07-15 is not the first of a month"
    assert "months start on the 1st: write 2026-07-01" in hint(problem)


def test_months_as_dates_or_text_mean_the_same(tmp_path: Path) -> None:
    forms = ["2026-07-01", '"2026-07"', '"2026-07-01"']
    months = set()
    for i, form in enumerate(forms):
        text = HEAD + f"[[one_off]]\nname = 'x'\ncategory = 'A'\nmonth = {form}\namount_eur = 5\n"
        months.add(load_scenario(write(tmp_path, f"s{i}.toml", text)).one_off[0].month)
    assert months == {date(2026, 7, 1)}


def test_bad_month_values(tmp_path: Path) -> None:
    text = HEAD + (
        "[[measure]]\nname = 'a'\nstart = 'juli 2026'\neffect_percent = -2\n"
        "[[measure]]\nname = 'b'\nstart = 2026-07-01T00:00:00\neffect_percent = -2\n"
        "[[measure]]\nname = 'c'\nstart = '2026-13'\neffect_percent = -2\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    assert 'start = "2026-07"' in hint(only(problems, "measure[1].start"))
    assert "write the date only" in hint(only(problems, "measure[2].start"))
    assert only(problems, "measure[3].start").problem == "start: '2026-13' is not a date"


def test_end_before_start_and_until_before_from(tmp_path: Path) -> None:
    text = HEAD + (
        "[[measure]]\nname = 'POH jeugd'\nstart = 2027-01-01\nend = 2026-06-01\n"
        "effect_percent = -5\n"
        "[[volume]]\ngrowth_percent_per_year = 2\nfrom = 2027-01-01\nuntil = '2026-12'\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    end = only(problems, "measure[1].end")
    assert end.where == 'measure[1].end ("POH jeugd")'
    assert end.problem == "end 2026-06 is before start 2027-01"
    assert end.line == 6
    assert only(problems, "volume[1].until").problem == "until 2026-12 is before from 2027-01"


def test_negative_ramp_months(tmp_path: Path) -> None:
    text = (
        HEAD + "[[measure]]\nname = 'm'\nstart = 2027-01-01\neffect_percent = -5\n"
        "ramp_months = -3\n"
    )
    problem = only(problems_of(write(tmp_path, "s.toml", text)), "measure[1].ramp_months")
    assert problem.problem == "ramp_months -3 is negative"
    assert "0 means the full effect" in hint(problem)


def test_ramp_months_must_be_whole(tmp_path: Path) -> None:
    text = (
        HEAD + "[[measure]]\nname = 'm'\nstart = 2027-01-01\neffect_percent = -5\n"
        "ramp_months = 6.0\n"
    )
    problem = only(problems_of(write(tmp_path, "s.toml", text)), "measure[1].ramp_months")
    assert hint(problem) == "write ramp_months = 6"


def test_a_measure_needs_exactly_one_effect(tmp_path: Path) -> None:
    text = HEAD + (
        "[[measure]]\nname = 'both'\nstart = 2027-01-01\neffect_percent = -5\n"
        "effect_eur_per_month = -1000\n"
        "[[measure]]\nname = 'neither'\nstart = 2027-01-01\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    both = only(problems, "measure[1].effect_eur_per_month")
    assert both.problem == "give effect_percent or effect_eur_per_month, not both"
    neither = only(problems, "measure[2]")
    assert neither.where == 'measure[2] ("neither")'
    assert neither.problem == "a measure needs an effect"
    assert "effect_percent = -5.0" in hint(neither)


def test_years_outside_2000_to_2100(tmp_path: Path) -> None:
    text = HEAD + (
        "[budget]\nunit = 'EUR'\n[budget.categories.A]\n2101 = 5\n"
        "[[indexation]]\nyear = 1999\ntariff_percent = 3\n"
        "[[one_off]]\nname = 'x'\ncategory = 'A'\nmonth = 2150-01-01\namount_eur = 5\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    assert only(problems, "budget.categories.A.2101").problem == "year 2101 is outside 2000..2100"
    assert only(problems, "indexation[1].year").problem == "year 1999 is outside 2000..2100"
    assert only(problems, "one_off[1].month").line == 13


def test_budget_years_are_bare_keys_validated_as_years(tmp_path: Path) -> None:
    text = (
        HEAD + "[budget]\nunit = 'EUR'\n[budget.categories.\"A\"]\n2026 = 5\n20226 = 5\n"
        "'volgend jaar' = 5\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    assert len(problems) == 2
    assert only(problems, "budget.categories.A.20226").problem == "'20226' is not a year"
    assert only(problems, 'budget.categories.A."volgend jaar"').line == 8


def test_budget_unit_is_required_and_checked(tmp_path: Path) -> None:
    missing = HEAD + "[budget.categories.A]\n2026 = 5\n"
    problem = only(problems_of(write(tmp_path, "a.toml", missing)), "budget.unit")
    assert "kEUR" in hint(problem)
    wrong = HEAD + "[budget]\nunit = 'keur'\n[budget.categories.A]\n2026 = 5\n"
    problem = only(problems_of(write(tmp_path, "b.toml", wrong)), "budget.unit")
    assert hint(problem).startswith("did you mean 'kEUR'?")


def test_a_category_name_with_dots_must_be_quoted(tmp_path: Path) -> None:
    text = HEAD + "[budget]\nunit = 'EUR'\n[budget.categories.6.72a]\n2026 = 5\n"
    problem = only(problems_of(write(tmp_path, "s.toml", text)), "budget.categories.6")
    assert (
        hint(problem) == "quote category names that contain dots or spaces: "
        '[budget.categories."6.72a"]'
    )


def test_budget_amounts_thousands_dot_negative_and_quoted(tmp_path: Path) -> None:
    text = HEAD + (
        "[budget]\nunit = 'EUR'\n[budget.categories.A]\n2026 = 1.653\n2027 = -5\n"
        "2028 = '12.500.000'\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    dot = only(problems, "budget.categories.A.2026")
    assert "a dot is a decimal point in TOML: for 1653 euro write 1653" in hint(dot)
    assert only(problems, "budget.categories.A.2027").problem.startswith("a budget cannot be")
    quoted = only(problems, "budget.categories.A.2028")
    assert quoted.problem == "2028 must be a number, not text"
    assert "write 12500000 or 12_500_000" in hint(quoted)


def test_money_has_at_most_cents(tmp_path: Path) -> None:
    text = (
        HEAD + "[[one_off]]\nname = 'x'\ncategory = 'A'\nmonth = 2026-01-01\n"
        "amount_eur = 150000.123\n"
    )
    problem = only(problems_of(write(tmp_path, "s.toml", text)), "one_off[1].amount_eur")
    assert hint(problem) == "round to cents: 150000.12"


def test_indexation_rate_forms(tmp_path: Path) -> None:
    text = HEAD + (
        "[[indexation]]\nyear = 2026\ntariff_percent = 4.96\nova_percent = 4.18\nppc_percent = 2\n"
        "[[indexation]]\nyear = 2027\nova_percent = 4.18\n"
        "[[indexation]]\nyear = 2028\ntariff_percent = 3.9\ncorrection_percent = 1\n"
        "[[indexation]]\nyear = 2029\nova_percent = 4\nppc_percent = 2\nova_weight = 90\n"
        "[[indexation]]\nyear = 2030\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    assert "not both" in only(problems, "indexation[1].tariff_percent").problem
    assert only(problems, "indexation[2].ppc_percent").problem == "ppc_percent is missing"
    assert "add a correction to it" in hint(only(problems, "indexation[3].correction_percent"))
    assert hint(only(problems, "indexation[4].ova_weight")).startswith(
        "ova_weight is a share: write 0.9 for 90 %"
    )
    assert only(problems, "indexation[5]").problem == "an indexation needs a rate"


def test_vng_parts_make_the_tariff(tmp_path: Path) -> None:
    text = (
        HEAD + "[[indexation]]\nyear = 2025\nova_percent = 4.18\nppc_percent = 1.82\n"
        "correction_percent = 1.02\napplies_to = ['Jeugd', 'wmo']\n"
    )
    (indexation,) = load_scenario(write(tmp_path, "s.toml", text)).indexation
    assert indexation.tariff_percent == 4.964
    assert (indexation.ova_weight, indexation.correction_percent) == (0.9, 1.02)
    assert indexation.applies_to == ("jeugd", "wmo")


def test_applies_to_forms(tmp_path: Path) -> None:
    text = HEAD + (
        "[[volume]]\ngrowth_percent_per_year = 2\nfrom = 2026-01-01\napplies_to = 'jeugd'\n"
        "[[volume]]\ngrowth_percent_per_year = 2\nfrom = 2027-01-01\napplies_to = []\n"
        "[[volume]]\ngrowth_percent_per_year = 2\nfrom = 2028-01-01\n"
        "applies_to = ['6.72a', '6.72a Jeugdhulp begeleiding']\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    assert hint(only(problems, "volume[1].applies_to")) == 'write applies_to = ["jeugd"]'
    assert "leave applies_to out" in hint(only(problems, "volume[2].applies_to"))
    assert only(problems, "volume[3].applies_to[2]").problem.endswith("listed twice in applies_to")


def test_a_one_off_lands_on_a_category_not_a_domain(tmp_path: Path) -> None:
    text = (
        HEAD + "[[one_off]]\nname = 'x'\ncategory = 'Jeugd'\nmonth = 2026-01-01\namount_eur = 5\n"
    )
    problem = only(problems_of(write(tmp_path, "s.toml", text)), "one_off[1].category")
    assert "not on the domain" in problem.problem


def test_a_budget_file_given_as_scenario_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "b.toml", "[budget]\nunit = 'EUR'\n[budget.categories.A]\n2026 = 5\n")
    problem = only(problems_of(path), "scenario")
    assert "this looks like a budget file" in hint(problem)


def test_problems_come_sorted_by_line(tmp_path: Path) -> None:
    text = HEAD + (
        "[[measure]]\nname = 'a'\nstart = 2026-01-15\neffect_percent = 0.5\n"
        "[[volume]]\ngrowth = 2\nfrom = 2026-01-01\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    lines = [p.line for p in problems]
    assert lines == sorted(lines)  # type: ignore[type-var]
    assert len(problems) == 4


# --- categories -------------------------------------------------------------------------------


def test_match_category_by_text_and_by_code() -> None:
    begeleiding = "6.72a Jeugdhulp begeleiding"
    assert match_category(begeleiding, CATEGORIES) == begeleiding
    assert match_category("6.72a", CATEGORIES) == "6.72a Jeugdhulp begeleiding"
    assert (
        match_category("6.72A Jeugdhulp begeleiding (oud label)", CATEGORIES)
        == "6.72a Jeugdhulp begeleiding"
    )
    assert match_category("6.82A  JEUGDBESCHERMING", CATEGORIES) == "6.82a Jeugdbescherming"
    assert match_category("6.711 Huishoudelijke hulp (WMO)", CATEGORIES) is None  # 2025 code
    assert match_category("6.72", CATEGORIES) is None
    assert match_category("6.72a", ["6.72a x", "6.72a y"]) is None  # two candidates: no guess
    assert match_category("Pleegzorg", ["pleegzorg"]) == "pleegzorg"


def test_resolve_applies_to_reaches_domains_and_categories() -> None:
    jeugd = resolve_applies_to(["jeugd"], CATEGORIES)
    assert "6.72a Jeugdhulp begeleiding" in jeugd
    assert "6.71a Huishoudelijke hulp (WMO)" not in jeugd
    assert resolve_applies_to([], CATEGORIES) == tuple(CATEGORIES)
    assert resolve_applies_to(
        ["6.71a", "wmo"], CATEGORIES, dict.fromkeys(CATEGORIES, "wmo")
    ) == tuple(CATEGORIES)


def test_budget_keys_match_data_categories_by_code(tmp_path: Path) -> None:
    text = HEAD + (
        "[budget]\nunit = 'kEUR'\n"
        "[budget.categories.'6.72a']\n2026 = 1_653\n"
        "[budget.categories.'6.72B - JEUGDHULP  Behandeling']\n2026 = 1574.5\n"
    )
    scenario = load_scenario(write(tmp_path, "s.toml", text), CATEGORIES)
    assert scenario.budget is not None
    assert scenario.budget.amounts == {
        "6.72a": {2026: 1_653_000.0},
        "6.72B - JEUGDHULP  Behandeling": {2026: 1_574_500.0},
    }


def test_unknown_categories_are_errors_with_the_closest_names(tmp_path: Path) -> None:
    text = HEAD + (
        "[budget]\nunit = 'EUR'\n[budget.categories.'6.711 Huishoudelijke hulp']\n2026 = 5\n"
        "[[volume]]\ngrowth_percent_per_year = 2\nfrom = 2026-01-01\n"
        "applies_to = ['Jeugdhulp verbljif overig', 'jeugd', 'overig']\n"
        "[[one_off]]\nname = 'x'\ncategory = 'Pleegzrg'\nmonth = 2026-01-01\namount_eur = 5\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text), CATEGORIES)
    assert len(problems) == 4, [p.one_line() for p in problems]
    code = only(problems, 'budget.categories."6.711 Huishoudelijke hulp"')
    assert code.problem == "unknown category '6.711 Huishoudelijke hulp'"
    assert hint(code).startswith("6.711 is the 2025 code; the data has '6.71a Huishoudelijke hulp")
    assert hint(code).endswith("make the budget from a begroting of the data's years")
    typo = only(problems, "volume[1].applies_to[1]")
    assert "'6.73c Jeugdhulp met verblijf overig'" in hint(typo)
    assert (
        only(problems, "volume[1].applies_to[3]").problem
        == "the data has no category in domain 'overig'"
    )
    assert hint(only(problems, "one_off[1].category")) == "did you mean '6.73a Pleegzorg'?"


def test_a_code_of_another_chart_edition_is_told_so_not_matched_on_words(tmp_path: Path) -> None:
    """2025 split youth care by ambulant/met verblijf x lokaal/regionaal/landelijk: nothing in
    2023 data matches 6.751, and a word-alike ("Jeugdhulp behandeling") would mislead."""
    text = HEAD + (
        "[budget]\nunit = 'EUR'\n[budget.categories.'6.751 Jeugdhulp ambulant lokaal']\n"
        "2026 = 5\n[budget.categories.'6.72b Jeugdhulp behandelng']\n2026 = 5\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text), CATEGORIES)
    other = hint(only(problems, 'budget.categories."6.751 Jeugdhulp ambulant lokaal"'))
    assert other.startswith("6.751 is an Iv3 code from 2025 on, and the data's codes are of")
    assert "did you mean" not in other
    typo = hint(only(problems, 'budget.categories."6.72b Jeugdhulp behandelng"'))
    assert "'6.72b'" in typo and "edition" not in typo  # same edition: an ordinary slip


def test_without_categories_only_the_form_is_checked(tmp_path: Path) -> None:
    text = (
        HEAD + "[[volume]]\ngrowth_percent_per_year = 2\nfrom = 2026-01-01\n"
        "applies_to = ['Iets anders']\n"
    )
    assert load_scenario(write(tmp_path, "s.toml", text)).volume[0].applies_to == ("Iets anders",)


def test_one_budget_category_written_twice(tmp_path: Path) -> None:
    text = (
        HEAD + "[budget]\nunit = 'EUR'\n[budget.categories.'6.72a']\n2026 = 5\n"
        "[budget.categories.'6.72a Jeugdhulp begeleiding']\n2026 = 6\n"
    )
    problem = only(
        problems_of(write(tmp_path, "s.toml", text)),
        'budget.categories."6.72a Jeugdhulp begeleiding"',
    )
    assert problem.problem == "'6.72a Jeugdhulp begeleiding' is the same category as '6.72a'"


# --- overlaps and contradictions -----------------------------------------------------------


def measure(name: str, applies_to: str, start: str, end: str | None = None) -> str:
    until = f"end = {end}\n" if end else ""
    return (
        f"[[measure]]\nname = '{name}'\napplies_to = {applies_to}\nstart = {start}\n{until}"
        "effect_percent = -2\n"
    )


def test_measures_on_one_category_may_not_overlap(tmp_path: Path) -> None:
    text = (
        HEAD
        + measure("A", "['6.72a Jeugdhulp begeleiding']", "2027-01-01")
        + measure("B", "['6.72a']", "2026-01-01", "2027-06-01")
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    problem = only(problems, "measure[2]")
    assert problem.where == 'measure[2] ("B")'
    assert (
        problem.problem == "overlaps measure 'A' (measure[1]) on 6.72a Jeugdhulp begeleiding, "
        "2027-01..2027-06"
    )
    assert "combine them into one measure" in hint(problem)


def test_a_category_reached_through_its_domain_overlaps(tmp_path: Path) -> None:
    text = (
        HEAD
        + measure("A", "['jeugd']", "2027-01-01")
        + measure("B", "['6.74a Jeugd behandeling GGZ zonder verblijf']", "2027-03-01")
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    assert (
        "on 6.74a Jeugd behandeling GGZ zonder verblijf, from 2027-03"
        in only(problems, "measure[2]").problem
    )
    with_data = problems_of(write(tmp_path, "s.toml", text), CATEGORIES)
    assert len(with_data) == 1


def test_measures_that_follow_each_other_or_differ_in_domain_are_fine(tmp_path: Path) -> None:
    text = (
        HEAD
        + measure("A", "['jeugd']", "2026-01-01", "2026-12-01")
        + measure("B", "['jeugd']", "2027-01-01")
        + measure("C", "['wmo']", "2026-01-01")
    )
    assert len(load_scenario(write(tmp_path, "s.toml", text), CATEGORIES).measure) == 3


def test_the_same_measure_name_twice(tmp_path: Path) -> None:
    text = (
        HEAD
        + measure("POH jeugd", "['jeugd']", "2026-01-01", "2026-06-01")
        + measure("POH  Jeugd", "['wmo']", "2027-01-01")
    )
    problem = only(problems_of(write(tmp_path, "s.toml", text)), "measure[2].name")
    assert problem.problem == "measure name 'POH  Jeugd' is used twice (also measure[1])"


def test_overlapping_volumes_and_indexations(tmp_path: Path) -> None:
    text = HEAD + (
        "[[volume]]\ngrowth_percent_per_year = 2\nfrom = 2026-01-01\n"
        "[[volume]]\ngrowth_percent_per_year = 3\nfrom = 2027-01-01\napplies_to = ['wmo']\n"
        "[[indexation]]\nyear = 2027\ntariff_percent = 4\napplies_to = ['jeugd']\n"
        "[[indexation]]\nyear = 2027\ntariff_percent = 3\napplies_to = ['wmo']\n"
        "[[indexation]]\nyear = 2027\ntariff_percent = 5\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    assert len(problems) == 3, [p.one_line() for p in problems]
    assert only(problems, "volume[2]").problem == "overlaps volume[1] on wmo, from 2027-01"
    third = [p.problem for p in problems if p.where == "indexation[3]"]
    assert third == [
        "a second indexation for 2027 on jeugd (also indexation[1])",
        "a second indexation for 2027 on wmo (also indexation[2])",
    ]


def test_the_same_one_off_twice(tmp_path: Path) -> None:
    one = "[[one_off]]\nname = 'x'\ncategory = '6.72a'\nmonth = 2026-01-01\namount_eur = 5\n"
    problem = only(problems_of(write(tmp_path, "s.toml", HEAD + one + one)), "one_off[2]")
    assert problem.problem == "the same one_off twice (also one_off[1])"


# --- extends and budget files ----------------------------------------------------------------


def test_extends_merges_parent_then_child(tmp_path: Path) -> None:
    write(
        tmp_path,
        "base.toml",
        (
            '[scenario]\nname = "Basis"\ndescription = "from the parent"\n'
            "[budget]\nunit = 'kEUR'\n[budget.categories.'6.72a Jeugdhulp begeleiding']\n"
            "2026 = 100\n2027 = 110\n"
            "[budget.categories.'6.71a Huishoudelijke hulp (WMO)']\n2026 = 50\n"
            "[[volume]]\ngrowth_percent_per_year = 2\nfrom = 2026-01-01\napplies_to = ['wmo']\n"
        ),
    )
    (tmp_path / "sub").mkdir()
    child = write(
        tmp_path / "sub",
        "child.toml",
        (
            '[scenario]\nname = "Kind"\nextends = "../base.toml"\n'
            "[budget]\nunit = 'EUR'\n[budget.categories.'6.72a']\n2027 = 120_000\n2028 = 130_000\n"
            + measure("M", "['jeugd']", "2027-01-01")
        ),
    )
    scenario = load_scenario(child, CATEGORIES)
    assert (scenario.name, scenario.description, scenario.extends) == (
        "Kind",
        "from the parent",
        "../base.toml",
    )
    assert scenario.budget is not None
    assert scenario.budget.amounts == {
        "6.72a": {2026: 100_000.0, 2027: 120_000.0, 2028: 130_000.0},
        "6.71a Huishoudelijke hulp (WMO)": {2026: 50_000.0},
    }
    assert scenario.budget.unit == "EUR"
    assert [v.applies_to for v in scenario.volume] == [("wmo",)]
    assert [m.name for m in scenario.measure] == ["M"]


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", '[scenario]\nname = "A"\nextends = "b.toml"\n')
    write(tmp_path, "b.toml", '[scenario]\nname = "B"\nextends = "a.toml"\n')
    problem = only(problems_of(tmp_path / "a.toml"), "scenario.extends")
    assert problem.source == str(tmp_path / "b.toml")
    assert problem.line == 3
    assert problem.problem == (
        f"extends makes a cycle: {tmp_path / 'a.toml'} → {tmp_path / 'b.toml'} → "
        f"{tmp_path / 'a.toml'}"
    )
    own = write(tmp_path, "self.toml", '[scenario]\nname = "S"\nextends = "self.toml"\n')
    assert "cycle" in only(problems_of(own), "scenario.extends").problem


def test_extends_a_missing_file(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", '[scenario]\nname = "S"\nextends = "basis.toml"\n')
    problem = only(problems_of(path), "scenario.extends")
    assert problem.source == str(path)
    assert "basis.toml" in problem.problem and "not found" in problem.problem


def test_problems_in_the_parent_are_reported_with_its_name(tmp_path: Path) -> None:
    parent = write(tmp_path, "base.toml", '[scenario]\nname = "B"\nflavour = 1\n')
    child = write(tmp_path, "c.toml", '[scenario]\nname = "C"\nextends = "base.toml"\nx = 1\n')
    problems = problems_of(child)
    assert [(p.source, p.where) for p in problems] == [
        (str(child), "scenario.x"),
        (str(parent), "scenario.flavour"),
    ]


def test_a_child_replaces_the_parent_entries_with_its_identity(tmp_path: Path) -> None:
    write(
        tmp_path,
        "base.toml",
        '[scenario]\nname = "B"\n'
        + (
            measure("M", "['jeugd']", "2026-01-01")
            + measure("Other", "['wmo']", "2026-01-01")
            + "[[indexation]]\nyear = 2027\ntariff_percent = 4\napplies_to = ['jeugd']\n"
            "[[indexation]]\nyear = 2028\ntariff_percent = 3\napplies_to = ['jeugd']\n"
            "[[volume]]\ngrowth_percent_per_year = 2\nfrom = 2027-01-01\n"
            "applies_to = ['6.71a', 'wmo']\n"
            "[[one_off]]\nname = 'Nabetaling'\ncategory = '6.72a'\nmonth = 2027-03-01\n"
            "amount_eur = 5\n"
            "[[one_off]]\nname = 'Nabetaling'\ncategory = '6.72a'\nmonth = 2027-04-01\n"
            "amount_eur = 6\n"
        ),
    )
    child = write(
        tmp_path,
        "c.toml",
        '[scenario]\nname = "C"\nextends = "base.toml"\n'
        + (
            measure("m", "['jeugd']", "2027-01-01")
            + "[[indexation]]\nyear = 2027\ntariff_percent = 5\napplies_to = ['Jeugd']\n"
            "[[volume]]\ngrowth_percent_per_year = 3\nfrom = 2027-01-01\n"
            "applies_to = ['WMO', '6.71a Huishoudelijke hulp (WMO)']\n"
            "[[one_off]]\nname = 'nabetaling'\ncategory = '6.72a'\nmonth = 2027-05-01\n"
            "amount_eur = 7\n"
        ),
    )
    scenario = load_scenario(child, CATEGORIES)
    assert [(m.name, m.start) for m in scenario.measure] == [
        ("Other", date(2026, 1, 1)),
        ("m", date(2027, 1, 1)),
    ]
    assert [(i.year, i.tariff_percent) for i in scenario.indexation] == [(2028, 3.0), (2027, 5.0)]
    assert [v.growth_percent_per_year for v in scenario.volume] == [3.0]
    assert [(o.month, o.amount_eur) for o in scenario.one_off] == [(date(2027, 5, 1), 7.0)]


def test_a_child_entry_of_another_identity_still_overlaps(tmp_path: Path) -> None:
    write(
        tmp_path,
        "base.toml",
        '[scenario]\nname = "B"\n'
        "[[indexation]]\nyear = 2027\ntariff_percent = 4\napplies_to = ['jeugd']\n",
    )
    child = write(
        tmp_path,
        "c.toml",
        '[scenario]\nname = "C"\nextends = "base.toml"\n'
        "[[indexation]]\nyear = 2027\ntariff_percent = 5\napplies_to = ['6.72a']\n",
    )
    problem = only(problems_of(child, CATEGORIES), "indexation[1]")
    assert problem.source == str(child)
    assert "give the same year and applies_to" in hint(problem)


def test_the_same_measure_name_twice_in_one_file_despite_other_errors(tmp_path: Path) -> None:
    text = (
        HEAD
        + measure("POH", "['jeugd']", "2026-01-01")
        + "[[measure]]\nname = 'POH'\napplies_to = ['wmo']\nstart = 2027-01-15\n"
        "effect_percent = -2\n"
        "[[volume]]\ngrowth_percent_per_year = 3,5\nfrom = 2026-01-01\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    assert (
        only(problems, "measure[2].name").problem
        == "measure name 'POH' is used twice (also measure[1])"
    )
    assert only(problems, "measure[2].start").problem.endswith("is not the first of a month")
    assert len(problems) == 3, [p.one_line() for p in problems]  # and the volume's 3,5


def test_a_budget_file_reference(tmp_path: Path) -> None:
    write(
        tmp_path,
        "b.toml",
        "[budget]\nunit = 'kEUR'\nsource = 'CBS'\n[budget.categories.'6.72a']\n2026 = 1.5\n",
    )
    path = write(tmp_path, "s.toml", HEAD + "[budget]\nfile = 'b.toml'\n")
    scenario = load_scenario(path, CATEGORIES)
    assert scenario.budget is not None
    assert scenario.budget.amounts == {"6.72a": {2026: 1500.0}}
    assert (scenario.budget.provenance, scenario.budget.source) == ("CBS", str(tmp_path / "b.toml"))


def test_budget_file_problems(tmp_path: Path) -> None:
    write(tmp_path, "b.toml", "[budget]\nunit = 'EUR'\n[budget.categories.A]\n2026 = 1\n")
    both = write(tmp_path, "s.toml", HEAD + "[budget]\nfile = 'b.toml'\nunit = 'EUR'\n")
    problems = problems_of(both)
    assert "cannot be combined with unit" in only(problems, "budget.file").problem
    missing = write(tmp_path, "m.toml", HEAD + "[budget]\nfile = 'nope.toml'\n")
    problem = only(problems_of(missing), "budget.file")
    assert "nope.toml" in problem.problem
    write(tmp_path, "bad.toml", "[budget]\nunit = 'EUR'\n[budget.categories.'6.72x']\n2026 = 1\n")
    inner = write(tmp_path, "i.toml", HEAD + "[budget]\nfile = 'bad.toml'\n")
    (problem,) = problems_of(inner, CATEGORIES)
    assert (problem.source, problem.line) == (str(tmp_path / "bad.toml"), 3)
    assert problem.problem == "unknown category '6.72x'"


# --- round trip -------------------------------------------------------------------------------


RICH = """
[scenario]
name = "Voorjaarsnota 2026"
description = "Alles door elkaar"

[budget]
unit = "kEUR"
source = "begroting 2026"
[budget.categories."6.72a Jeugdhulp begeleiding"]
2026 = 1_702.59
2027 = 1800
[budget.categories."6.71a"]
2026 = 5655.5

[[indexation]]
year = 2026
tariff_percent = 4.96
applies_to = ["jeugd"]

[[indexation]]
year = 2026
ova_percent = 4.18
ppc_percent = 0.8
correction_percent = -0.3
applies_to = ["wmo"]
unusual_percent_ok = true

[[volume]]
applies_to = ["6.71a Huishoudelijke hulp (WMO)"]
growth_percent_per_year = 0.5
from = "2026-10"
until = 2028-12-01
unusual_percent_ok = true

[[measure]]
name = "Praktijkondersteuner jeugd"
applies_to = ["6.72b Jeugdhulp behandeling"]
start = 2026-07-01
end = "2027-12-01"
effect_percent = -5.0
ramp_months = 6

[[measure]]
name = "Inkoop"
start = 2027-01-01
effect_eur_per_month = -20_000.5
applies_to = ["wmo"]

[[one_off]]
name = "Nabetaling aanbieder"
category = "6.74a Jeugd behandeling GGZ zonder verblijf"
month = 2026-03-01
amount_eur = 150_000.10
"""


def test_load_dump_load_gives_the_same_scenario(tmp_path: Path) -> None:
    first = load_scenario(write(tmp_path, "s.toml", RICH), CATEGORIES)
    assert first.budget is not None
    assert first.budget.amounts["6.72a Jeugdhulp begeleiding"][2026] == 1_702_590.0
    dumped = write(tmp_path, "dumped.toml", dumps_scenario(first))
    second = load_scenario(dumped, CATEGORIES)
    assert second == first
    assert scenario_to_dict(second) == scenario_to_dict(first)


def test_a_resolved_scenario_dumps_without_extends(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", RICH)
    child = write(
        tmp_path,
        "c.toml",
        '[scenario]\nname = "C"\nextends = "base.toml"\n'
        "[[one_off]]\nname = 'extra'\ncategory = '6.6'\nmonth = 2027-01-01\n"
        "amount_eur = -500\n",
    )
    resolved = load_scenario(child, CATEGORIES)
    text = dumps_scenario(resolved)
    assert "extends" not in text
    again = load_scenario(write(tmp_path, "again.toml", text), CATEGORIES)
    assert again == resolved
    assert len(again.one_off) == 2


# --- a new user's findings ------------------------------------------------------------------


def test_a_code_and_a_label_that_disagree_are_an_error(tmp_path: Path) -> None:
    text = HEAD + (
        "[budget]\nunit = 'EUR'\n[budget.categories.'6.72a Jeugdhulp begleiding']\n2026 = 5\n"
        "[[volume]]\ngrowth_percent_per_year = 2\nfrom = 2026-01-01\n"
        "applies_to = ['6.72a Jeugdhulp behandeling', '6.72b']\n"
        "[[one_off]]\nname = 'x'\ncategory = '6.82a Jeugdreclassering'\nmonth = 2027-01-01\n"
        "amount_eur = 5\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text), CATEGORIES)
    assert len(problems) == 3, [p.one_line() for p in problems]
    wrong = only(problems, "volume[1].applies_to[1]")
    assert wrong.problem == (
        "'6.72a Jeugdhulp behandeling': code 6.72a is '6.72a Jeugdhulp begeleiding' in the data, "
        "but the name says 'Jeugdhulp behandeling'"
    )
    assert hint(wrong) == "write the code alone ('6.72a') or the category as the data names it"
    assert wrong.line == 10
    typo = only(problems, 'budget.categories."6.72a Jeugdhulp begleiding"')
    assert "but the name says 'Jeugdhulp begleiding'" in typo.problem
    assert "code 6.82a is '6.82a Jeugdbescherming'" in only(problems, "one_off[1].category").problem


def test_label_mismatch_ignores_case_spacing_accents_and_cbs_cuts() -> None:
    begeleiding = "6.72a Jeugdhulp begeleiding"
    assert label_mismatch("6.72a", begeleiding) is None
    assert label_mismatch("6.72A  JEUGDHULP begeleiding", begeleiding) is None
    assert label_mismatch("6.72a - Jeugdhulp begeleiding", begeleiding) is None
    assert label_mismatch("6.81 Geescaleerde zorg 18+", "6.81 Geëscaleerde zorg 18+") is None
    assert (
        label_mismatch(
            "6.74a Jeugd behandeling GGZ zonder ..", "6.74a Jeugd behandeling GGZ zonder verblijf"
        )
        is None
    )
    # the official Iv3 name of the code is accepted whatever the ledger calls the line
    assert label_mismatch(begeleiding, "6.72a Begeleiding jeugd (ledger)") is None
    assert label_mismatch("6.72a Jeugdhulp behandeling", begeleiding) is not None
    assert label_mismatch("6.72a Jeugdhulp (oud label)", begeleiding) is not None
    assert match_category("6.72a Jeugdhulp behandeling", CATEGORIES) == begeleiding  # by code


def test_three_decimals_in_a_kEUR_budget_look_like_a_thousands_dot(tmp_path: Path) -> None:
    text = HEAD + (
        "[budget]\nunit = 'kEUR'\n[budget.categories.'6.72a']\n2026 = 1.653\n2027 = 1.6530\n"
        "2028 = 1.65\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    (dot,) = problems
    assert dot.where == 'budget.categories."6.72a".2026'
    assert dot.problem == "1.653 × € 1.000 has three decimals: a thousands dot?"
    assert hint(dot) == "write 1653 for € 1.653.000, or 1.6530 if you do mean € 1.653"


def test_a_thousands_dot_in_a_budget_is_one_problem(tmp_path: Path) -> None:
    text = HEAD + "[budget]\nunit = 'EUR'\n[budget.categories.'6.72a']\n2027 = 12.500.000\n"
    (problem,) = problems_of(write(tmp_path, "s.toml", text))
    assert "write 12500000 or 12_500_000" in hint(problem)
    only_line = HEAD + "[budget]\nunit = 'EUR'\n[budget.categories]\n'6.72a' = 12.500.000\n"
    (problem,) = problems_of(write(tmp_path, "t.toml", only_line))
    assert problem.line == 6


def test_a_one_off_in_the_actuals(tmp_path: Path) -> None:
    text = HEAD + (
        "[[one_off]]\nname = 'Te laat'\ncategory = '6.72a'\nmonth = 2026-03-01\namount_eur = 5\n"
        "[[one_off]]\nname = 'Op tijd'\ncategory = '6.72a'\nmonth = 2026-10-01\namount_eur = 5\n"
    )
    path = write(tmp_path, "s.toml", text)
    assert len(load_scenario(path, CATEGORIES).one_off) == 2  # without the month: not checked
    with pytest.raises(ProblemList) as caught:
        load_scenario(path, CATEGORIES, first_forecast_month=date(2026, 10, 1))
    (problem,) = caught.value.problems
    assert (problem.line, problem.where) == (6, 'one_off[1].month ("Te laat")')
    assert (
        problem.problem
        == "month 2026-03 is already in the actuals (the forecast starts in 2026-10)"
    )
    assert (
        hint(problem) == "move it to a forecast month or leave it out: the actuals already hold it"
    )


def test_implausibly_large_amounts_and_percentages(tmp_path: Path) -> None:
    text = HEAD + (
        "[budget]\nunit = 'kEUR'\n[budget.categories.'6.72a']\n2026 = 2e9\n2027 = 1e9\n"
        "[[measure]]\nname = 'm'\nstart = 2027-01-01\neffect_eur_per_month = -1.5e12\n"
        "[[indexation]]\nyear = 2027\ntariff_percent = 1e308\nunusual_percent_ok = true\n"
        "[[one_off]]\nname = 'x'\ncategory = '6.72a'\nmonth = 2027-01-01\namount_eur = 1e308\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    assert len(problems) == 4, [p.one_line() for p in problems]
    budget = only(problems, 'budget.categories."6.72a".2026')
    assert budget.problem == "2000000000 is implausibly large: more than € 1.000.000.000.000"
    assert "implausibly large" in only(problems, "measure[1].effect_eur_per_month").problem
    assert only(problems, "one_off[1].amount_eur").problem.startswith("1.000e+308 is implausibly")
    assert (
        only(problems, "indexation[1].tariff_percent").problem
        == "tariff_percent 1.000e+308 is implausibly large (above 1000 %)"
    )


def test_deeply_nested_toml_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", HEAD + "x = " + "[" * 2000 + "]" * 2000 + "\n")
    with pytest.raises(UsageError) as caught:
        load_scenario(path)
    assert not isinstance(caught.value, ProblemList)
    assert caught.value.one_line().startswith(f"error: {path}: values are nested too deeply")


def test_hints_for_missing_files_nan_whole_months_amounts_and_ova_weight(tmp_path: Path) -> None:
    for missing in (tmp_path / "nope.toml", tmp_path):
        with pytest.raises(UsageError) as caught:
            load_scenario(missing)
        assert hint(caught.value).startswith("check the path")
    text = HEAD + (
        "[[measure]]\nname = 'm'\nstart = 2027-01-01\neffect_percent = nan\nramp_months = 6.5\n"
        "[[one_off]]\nname = 'x'\ncategory = '6.72a'\nmonth = 2027-01-01\n"
        "[[indexation]]\nyear = 2027\nova_percent = 4\nppc_percent = 2\nova_weight = 1.5\n"
    )
    problems = problems_of(write(tmp_path, "s.toml", text))
    nan = only(problems, "measure[1].effect_percent")
    assert nan.problem == "effect_percent must be a finite number, not NaN"
    assert "write the number" in hint(nan)
    assert hint(only(problems, "measure[1].ramp_months")) == "write ramp_months = 6"
    assert hint(only(problems, "one_off[1].amount_eur")).startswith("write amount_eur = 150000")
    assert (
        hint(only(problems, "indexation[1].ova_weight"))
        == "ova_weight is the OVA share, between 0 and 1: the VNG method uses 0.9"
    )


def test_a_zero_budget_line_for_a_category_the_data_lacks_is_ignored(tmp_path: Path) -> None:
    text = HEAD + (
        "[budget]\nunit = 'kEUR'\n[budget.categories.'6.72d Jeugdhulp zonder verblijf overig']\n"
        "2026 = 0\n2027 = 0.0\n[budget.categories.'6.81a Beschermd wonen (WMO)']\n2026 = 0\n"
        "2027 = 10\n"
    )
    (problem,) = problems_of(write(tmp_path, "s.toml", text), CATEGORIES)
    assert problem.problem == "unknown category '6.81a Beschermd wonen (WMO)'"


def test_load_budget_checks_a_budget_file_against_the_data(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "b.toml",
        (
            "[budget]\nunit = 'kEUR'\n[budget.categories.'6.72a Jeugdhulp behandeling']\n2026 = 1\n"
            "[budget.categories.'6.72d']\n2026 = 0\n[budget.categories.'6.6']\n2026 = 2\n"
        ),
    )
    assert load_budget(path).amounts["6.6"] == {2026: 2000.0}  # without data: the form only
    with pytest.raises(ProblemList) as caught:
        load_budget(path, CATEGORIES)
    (problem,) = caught.value.problems
    assert (problem.source, problem.line) == (str(path), 3)
    assert "code 6.72a is '6.72a Jeugdhulp begeleiding' in the data" in problem.problem
