"""A new scenario file to start from (`carecast scenario new`), filled from the data.

The file has one example of every adjustment, each aimed at a category the data has, and loads
without problems against those categories. A [budget] is written only when the caller passes
amounts (last year's actuals, say): an invented budget — zeros, or anything else — would show a
tekort or overschot that nobody decided. Without amounts the comment at the top says how to add
one. The body is written with tomli_w; the comment lines are put in front of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import tomli_w

from models.categories import DOMAINS, domain_of
from scenarios.budget import budget_to_dict
from scenarios.schema import Budget

_HEADER = """\
# A carecast scenario. Check it with `carecast scenario check FILE`; run it with
# `carecast forecast --scenario FILE`.
#
# Percent keys take the number of percent: 4.96 means 4.96 %. Months are the first of a month,
# 2027-01-01, or the text "2027-01". applies_to lists domains (jeugd, wmo, overig) or categories
# as the data names them; leave it out for every category. The entries below are EXAMPLES:
# change them or delete them.
"""

_BUDGET_HELP = """\
#
# No [budget] yet: add the begroting per category and year to see the tekort or overschot,
#   [budget]
#   unit = "kEUR"                # or "EUR"; kEUR is "x € 1.000"
#   [budget.categories."{category}"]
#   {year} = 1_250
# or point to a budget file: [budget] file = "budget.toml" (`carecast budget from-iv3` makes one
# from a CBS Iv3 begroting).
"""


def _first_in(domain: str, categories: Sequence[str], domains: Mapping[str, str]) -> str:
    for category in categories:
        if domains.get(category, domain_of(category)) == domain:
            return category
    return categories[0]


_GROUPED_HELP = """\
#
# The data has a group column (gemeente): the percentages below apply to every gemeente's
# series. Budgets, one-offs and effect_eur_per_month are amounts for one municipality: make a
# scenario per gemeente, run on that gemeente's data, for those.
"""


def new_scenario_text(
    categories: Sequence[str],
    domains: Mapping[str, str],
    first_year: int,
    *,
    budget: Mapping[str, float] | None = None,
    grouped: bool = False,
) -> str:
    """The text of a new, valid scenario for data with `categories` (in their table order).
    `grouped`: the data has a group column, so no euro amounts (see scenarios.run).

    `domains` maps categories to their domain (missing ones: models.categories.domain_of);
    `first_year` is the first budget year to forecast. `budget`, when given, is a yearly amount
    in euro per category (e.g. last year's actuals); it is written for first_year..first_year+3,
    rounded to whole euro, so the user edits real-looking numbers rather than starting from 0.
    """
    if not categories:
        raise ValueError("a scenario template needs the data's categories")
    present = [d for d in DOMAINS if any(domains.get(c, domain_of(c)) == d for c in categories)]
    wmo = _first_in("wmo", categories, domains)
    jeugd = _first_in("jeugd", categories, domains)
    data: dict[str, Any] = {
        "scenario": {
            "name": "Nieuw scenario",
            "description": "Example adjustments: replace them with your own.",
        }
    }
    if budget:
        years = range(first_year, first_year + 4)
        amounts = {
            category: {year: float(round(budget[category])) for year in years}
            for category in categories
            if category in budget
        }
        note = "one year's amount for every year: replace it with the begroting"
        data["budget"] = budget_to_dict(Budget(amounts=amounts, unit="EUR", provenance=note))
    data["indexation"] = [
        {
            "year": first_year,
            "ova_percent": 4.18,
            "ppc_percent": 1.82,
            "ova_weight": 0.9,
            "correction_percent": 1.01,
            "applies_to": present,
        }
    ]
    data["volume"] = [
        {
            "growth_percent_per_year": 2.0,
            "from": date(first_year, 1, 1),
            "applies_to": [wmo],
        }
    ]
    data["measure"] = [
        {
            "name": "Voorbeeldmaatregel",
            "start": date(first_year, 7, 1),
            "effect_percent": -2.0,
            "ramp_months": 6,
            "applies_to": [jeugd],
        }
    ]
    if not grouped:  # a one-off is an amount for one municipality (see scenarios.run)
        data["one_off"] = [
            {
                "name": "Nabetaling aanbieder (voorbeeld)",
                "category": categories[0],
                "month": date(first_year, 3, 1),
                "amount_eur": 10_000,
            }
        ]
    header = _HEADER
    if grouped:
        header += _GROUPED_HELP
    elif not budget:
        header += _BUDGET_HELP.format(category=categories[0].replace('"', '\\"'), year=first_year)
    return header + "\n" + tomli_w.dumps(data)
