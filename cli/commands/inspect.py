"""`carecast inspect`: what the loader understood, before anything is forecast."""

from __future__ import annotations

import sys

from cli.guard import guarded, writing_output
from cli.options import (
    AmountCol,
    AsOf,
    CategoryCol,
    DateCol,
    Debug,
    Force,
    GroupCol,
    Inputs,
    InspectFormat,
    InspectFormatOption,
    Output,
    Sheet,
)


@guarded
def inspect(
    inputs: Inputs = None,
    date_col: DateCol = None,
    category_col: CategoryCol = None,
    amount_col: AmountCol = None,
    group_col: GroupCol = None,
    sheet: Sheet = None,
    as_of: AsOf = None,
    output_format: InspectFormatOption = InspectFormat.table,
    output: Output = None,
    force: Force = False,
    debug: Debug = False,
) -> None:
    """Show what the loader understood: layout, columns, formats, categories, gaps, yearly totals.

    Example: carecast inspect export.csv --date-col Periode
    """
    from dataclasses import replace

    from cli import formats, render
    from cli.inputs import resolve_inputs
    from models.categories import domains_for
    from models.history import category_facts, parse_as_of, prepare_history, yearly_totals
    from models.loading import ColumnChoice, load_history

    if output is not None:
        formats.check_output_target(output, force=force, inputs=inputs or [])
    chosen = resolve_inputs(inputs)
    history = load_history(
        chosen.paths,
        ColumnChoice(date=date_col, category=category_col, amount=amount_col, group=group_col),
        sheet,
    )
    sources = tuple(replace(s, path=chosen.labels.get(s.path, s.path)) for s in history.sources)
    prepared = prepare_history(history, parse_as_of(as_of) if as_of else None)
    render.warn(prepared.warnings)  # the source notes are part of the inspect table itself
    facts = category_facts(history.monthly)
    domains = domains_for([f.category for f in facts], history.domains)
    yearly = yearly_totals(history.monthly)
    last = f"{prepared.last_complete_month:%Y-%m}"
    excluded = (
        None
        if prepared.excluded_partial_month is None
        else f"{prepared.excluded_partial_month:%Y-%m}"
    )

    with writing_output(str(output or "stdout")):
        if output_format is InspectFormat.table:
            items = render.inspect_renderables(sources, facts, domains, yearly, last, excluded)
            if output is None:
                render.print_renderables(items, sys.stdout)
                return
            text = render.renderables_text(items)
        elif output_format is InspectFormat.json:
            text = formats.dumps_json(
                formats.inspect_dict(sources, facts, domains, yearly, last, excluded)
            )
        else:
            with_domains = yearly.with_columns(
                yearly["category"].replace_strict(domains, default="overig").alias("domain")
            )
            text = formats.to_csv(
                formats.split_keys(with_domains),
                ("group", "category", "domain", "year", "months", "amount"),
            )
        if output is None:
            sys.stdout.write(text)
        else:
            formats.write_output(text, output, force=force)
