"""Follow-up summaries: figures per factory, per buyer's consenting factories, per country and
across countries, for fixed calendar periods, every one of them through the disclosure rule.

    periods.py     month, quarter and year in the factory's time zone (never free ranges)
    tables.py      what every page, CSV, chart and API answer reads: Figure, Row, Table, Summary
    disclosure.py  the rule: distinct workers, fewer than 5, n ≥ 10 for shares, complementary
                   suppression, the country benchmark's size and dominance
    facts.py       per factory, period and route, the raw sums kept up to date from the cases
    grids.py       a year's counts across the factories a viewer combines, suppressed once
    sections.py    the tables of a summary, built from sums and grids
    report.py      the summaries each audience reads, built from the facts through disclosure
"""
