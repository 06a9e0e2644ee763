"""The Iv3 care table and the domain rule, against hand-picked names and the real Iv3 files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from models.categories import (
    CODE_2023_FOR_2025,
    CODE_2025_FOR_2023,
    DOMAINS,
    TAAKVELD_BY_CODE,
    TAAKVELDEN,
    Taakveld,
    domain_of,
    domain_sort_key,
    domains_for,
    leading_code,
    normalize_domain,
    taakveld_of,
)

IV3 = "nl_iv3_taakvelden"


def _expected_by_code(code: str) -> str:
    """The domain from the code alone, independent of the table: the Iv3 chapter structure."""
    if code.startswith(("6.6", "6.71", "6.791", "6.81")):
        return "wmo"
    if code.startswith(("6.72", "6.73", "6.74", "6.75", "6.76", "6.792", "6.82")):
        return "jeugd"
    raise AssertionError(f"not a care code: {code}")


def test_domains_are_the_three_in_table_order() -> None:
    assert DOMAINS == ("jeugd", "wmo", "overig")


@pytest.mark.parametrize("taakveld", TAAKVELDEN, ids=lambda t: t.code)
def test_every_code_in_the_table_maps(taakveld: Taakveld) -> None:
    assert taakveld.domain == _expected_by_code(taakveld.code)
    assert domain_of(taakveld.code) == taakveld.domain
    assert domain_of(taakveld.label) == taakveld.domain
    assert taakveld_of(taakveld.label) is taakveld
    # the name alone also reaches the same domain through the keyword rule
    assert domain_of(taakveld.name) == taakveld.domain


def test_table_covers_the_three_schemes() -> None:
    codes = set(TAAKVELD_BY_CODE)
    assert {"6.6", "6.71", "6.72", "6.81", "6.82"} <= codes
    letters_2023 = {
        *(f"6.71{x}" for x in "abcd"),
        *(f"6.72{x}" for x in "abcd"),
        *(f"6.73{x}" for x in "abc"),
        *(f"6.74{x}" for x in "abc"),
        "6.81a",
        "6.81b",
        "6.82a",
        "6.82b",
    }
    assert letters_2023 <= codes
    assert {"6.60", "6.711", "6.714", "6.751", "6.763", "6.791", "6.792", "6.822"} <= codes
    assert len(TAAKVELDEN) == len(codes) == 40


def test_table_is_in_code_order() -> None:
    keys = [domain_sort_key(t.code, "overig") for t in TAAKVELDEN]
    assert keys == sorted(keys)


def test_one_to_one_2025_mapping_keeps_domain_and_name() -> None:
    for old, new in CODE_2025_FOR_2023.items():
        assert TAAKVELD_BY_CODE[old].domain == TAAKVELD_BY_CODE[new].domain
        assert TAAKVELD_BY_CODE[old].last_year == 2024
        assert TAAKVELD_BY_CODE[new].first_year == 2025
        if old != "6.6":  # renamed to "Hulpmiddelen en diensten (WMO)"
            assert TAAKVELD_BY_CODE[old].name == TAAKVELD_BY_CODE[new].name
        assert CODE_2023_FOR_2025[new] == old


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("6.72a", "6.72a"),
        ("6.72a Jeugdhulp begeleiding", "6.72a"),
        ("6.72A - Jeugdhulp", "6.72a"),
        ("6,72a", "6.72a"),
        ("  6.6 Maatwerkvoorziening", "6.6"),
        ("672a", "6.72a"),
        ("6711 Huishoudelijke hulp", "6.711"),
        ("660", "6.60"),
        ("0.10 Mutaties reserves", "0.10"),  # any code shape; not a care code
        ("6.72abc", None),
        ("2023 jeugd", None),  # a year is no compact code
        ("66", None),
        ("Jeugdhulp 6.72a", None),  # only a leading code counts
    ],
)
def test_leading_code_forms(text: str, code: str | None) -> None:
    assert leading_code(text) == code


@pytest.mark.parametrize(
    ("category", "domain"),
    [
        # the code wins over the words that follow it
        ("6.72a Wmo begeleiding", "jeugd"),
        ("6.71b jeugd", "wmo"),
        ("671b", "wmo"),
        # a code outside the table: the words decide
        ("6.22 Toegang en eerstelijnsvoorz. Jeugd", "jeugd"),
        ("6.21 Toegang en eerstelijnsvoorz. WMO", "wmo"),
        ("6.3 Inkomensregelingen", "overig"),
        ("6.4 Begeleide participatie", "overig"),
        # youth words
        ("Jeugdzorg", "jeugd"),
        ("jeugdhulp met verblijf", "jeugd"),
        ("Kosten Jeugdwet", "jeugd"),
        ("Pleegzorg", "jeugd"),
        ("Jeugdbescherming (GI)", "jeugd"),
        ("JEUGDRECLASSERING", "jeugd"),
        ("Gesloten jeugdzorg", "jeugd"),
        ("Gesloten plaatsing", "jeugd"),
        ("Jeugd-GGZ", "jeugd"),
        ("Gezinshuizen", "jeugd"),
        ("Maatwerkdienstverlening 18-", "jeugd"),
        # Wmo words
        ("Wmo", "wmo"),
        ("WMO-vervoer", "wmo"),
        ("Huishoudelijke hulp", "wmo"),
        ("Hulp bij het huishouden", "wmo"),
        ("HbH", "wmo"),
        ("Begeleiding individueel", "wmo"),
        ("Groepsdagbesteding", "wmo"),
        ("Beschermd wonen", "wmo"),
        ("Maatschappelijke opvang", "wmo"),
        ("Vrouwenopvang", "wmo"),
        ("Hulpmiddelen", "wmo"),
        ("Woningaanpassingen", "wmo"),
        ("Regiotaxi", "wmo"),
        ("Collectief vervoer", "wmo"),
        ("Maatwerkvoorzieningen", "wmo"),
        ("Geëscaleerde zorg 18+", "wmo"),
        ("Geescaleerde zorg 18 +", "wmo"),
        # precedence: youth words win over Wmo words
        ("Jeugdhulp begeleiding", "jeugd"),
        ("Jeugdhulp dagbesteding", "jeugd"),
        ("Dagbesteding jeugd", "jeugd"),
        ("PGB Jeugd", "jeugd"),
        ("Vervoer jeugdhulp (Wmo-taxi)", "jeugd"),
        # neither
        ("PGB", "overig"),
        ("Leerlingenvervoer", "overig"),
        ("Openbaar vervoer", "overig"),
        ("Kinderopvang", "overig"),
        ("Jeugdgezondheidszorg", "overig"),
        ("Jeugdwerk", "overig"),
        ("Bijstand", "overig"),
        ("", "overig"),
        ("Zorg 18 jaar", "overig"),
    ],
)
def test_keyword_rule(category: str, domain: str) -> None:
    assert domain_of(category) == domain


@pytest.mark.parametrize(
    ("value", "domain"),
    [
        ("jeugd", "jeugd"),
        ("Jeugd", "jeugd"),
        ("jeugdzorg", "jeugd"),
        ("Jeugdwet", "jeugd"),
        ("Wmo", "wmo"),
        ("WMO", "wmo"),
        ("Wmo 2015", "wmo"),
        ("overig", "overig"),
        ("Overig", "overig"),
        ("sociaal domein", "overig"),
        ("?", "overig"),
        ("", None),
        ("  ", None),
    ],
)
def test_normalize_domain(value: str, domain: str | None) -> None:
    assert normalize_domain(value) == domain


def test_declared_domain_wins_over_the_rule() -> None:
    got = domains_for(
        [
            "6.72a Jeugdhulp begeleiding",
            "Begeleiding",
            "Wijkteam",
            "Pleegzorg",
            "Huishoudelijke hulp",
        ],
        {
            "6.72a Jeugdhulp begeleiding": "WMO",  # the input says so: it wins
            "Begeleiding": "Jeugdzorg",
            "Wijkteam": "iets anders",  # unknown → overig, not the rule
            "Pleegzorg": "",  # blank: not declared
            "Niet in de data": "jeugd",  # ignored
        },
    )
    assert got == {
        "6.72a Jeugdhulp begeleiding": "wmo",
        "Begeleiding": "jeugd",
        "Wijkteam": "overig",
        "Pleegzorg": "jeugd",
        "Huishoudelijke hulp": "wmo",
    }


def test_domains_for_without_declarations() -> None:
    assert domains_for(iter(["6.81a", "Bijstand"])) == {"6.81a": "wmo", "Bijstand": "overig"}


def test_sort_key_orders_by_domain_then_code_then_name() -> None:
    names = [
        "Bijstand",
        "6.71a Huishoudelijke hulp (WMO)",
        "Pleegzorg",
        "6.82a Jeugdbescherming",
        "6.6 Maatwerkvoorziening (WMO)",
        "6.72b Jeugdhulp behandeling",
        "6.711 Huishoudelijke hulp (WMO)",
        "Begeleiding",
        "6.74a Jeugd behandeling GGZ zonder verblijf",
        "0.10 Mutaties reserves",
        "0.9 Vennootschapsbelasting",
    ]
    assert sorted(names, key=domain_sort_key) == [
        "6.72b Jeugdhulp behandeling",
        "6.74a Jeugd behandeling GGZ zonder verblijf",
        "6.82a Jeugdbescherming",
        "Pleegzorg",
        "6.6 Maatwerkvoorziening (WMO)",
        "6.71a Huishoudelijke hulp (WMO)",
        "6.711 Huishoudelijke hulp (WMO)",
        "Begeleiding",
        "0.9 Vennootschapsbelasting",
        "0.10 Mutaties reserves",
        "Bijstand",
    ]
    # a declared domain moves a category to that domain's block
    assert domain_sort_key("Begeleiding", "jeugd") < domain_sort_key("6.6", "wmo")


def _care_labels(path: Path) -> list[str]:
    labels = pl.read_csv(path, separator=";", columns=["Taakveld"])["Taakveld"].unique()
    return sorted(label for label in labels.to_list() if label.startswith(("6.6", "6.7", "6.8")))


# CBS cut this label inside the word that says which domain it is ("vrouwenopva.."): only its
# code can tell.
_CUT_INSIDE_THE_WORD = {"6.812"}


@pytest.mark.parametrize(
    ("filename", "count"),
    [
        ("iv3_2023_begroting.csv", 23),
        ("iv3_2023_jaarrekening.csv", 23),
        ("iv3_2024_begroting.csv", 23),
        ("iv3_2025_begroting.csv", 17),
    ],
)
def test_real_iv3_care_labels_map_to_their_domain(
    shared_file: Callable[..., Path], filename: str, count: int
) -> None:
    labels = _care_labels(shared_file(IV3, filename))
    assert len(labels) == count  # every care line of the file, and nothing else
    for label in labels:
        code, _, name = label.partition(" ")
        expected = _expected_by_code(code)
        assert domain_of(label) == expected, label
        assert code in TAAKVELD_BY_CODE, label
        if code not in _CUT_INSIDE_THE_WORD:
            # also without the code: the keyword rule alone gets every real care label right
            assert domain_of(name) == expected, label
