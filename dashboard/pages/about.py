"""About `/about`: what the numbers are, how they are computed, and what they cannot say.

A reader deciding whether to trust a figure needs the method beside it, in words: which interval,
which comparison, when a rank is withheld, why a cell shows ``c``. The text here describes what
the metrics code does (metrics/stats, metrics/disclosure.py, metrics/coverage.py,
metrics/signals.py), not what a statistics textbook would do, and it says plainly that every
figure is synthetic. The framework groups are listed from the catalogue, so they cannot drift
from the indicators the site shows.
"""

from __future__ import annotations

from typing import Any

from dash import html, register_page

from dashboard import ids
from dashboard.components import aria
from dashboard.context import current_data
from dashboard.formatting import SYMBOLS
from dashboard.glossary import term
from metrics.catalogue import Catalogue

PATH = "/about"
TITLE = "About this dashboard"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
MIT_URL = "https://opensource.org/license/mit"
API_PREFIX = "/api/v1"
KIND_NAMES = {"outcome": "Outcome", "enabler": "Enabler", "data_quality": "Data quality"}
SYMBOL_ORDER = ("c", "k", "u", "x", "z")
# When each symbol appears on this site (formatting.SYMBOLS gives the meaning).
SYMBOL_USE = {
    "c": "Set by disclosure control: a count of 1 to 5, a rate or percentage built on one, or "
    "a second cell hidden so that the first cannot be worked out by subtraction.",
    "k": "Set by disclosure control when a rounded count would show as 0 although some "
    "children were counted.",
    "u": "For values of low reliability, such as figures imputed or rolled forward from "
    "another year. Hidden-need signals are still computed for them.",
    "x": "Shown wherever no value exists, for example when a local authority's return was not "
    "received that year.",
    "z": "Shown where a figure does not apply, for example a share with nothing to measure.",
}

register_page(
    __name__,
    path=PATH,
    title=f"{TITLE} - Children's social care indicators",
    name="About",
    order=80,
)


def layout(**_query: object) -> html.Div:
    catalogue = current_data().tidy.catalogue
    return html.Div(
        [
            html.H1(TITLE, id=ids.ABOUT_HEADING, className="govuk-heading-xl"),
            _contents(),
            _synthetic(),
            _framework(catalogue),
            _methods(),
            _data(),
            _sources(),
            _api(),
        ],
        className="csc-about",
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _p(*children: Any) -> html.P:
    return html.P(list(children), className="govuk-body")


def _ul(*items: Any) -> html.Ul:
    return html.Ul([html.Li(item) for item in items], className="govuk-list govuk-list--bullet")


def _h2(text: str, anchor: str) -> html.H2:
    return html.H2(text, id=anchor, className="govuk-heading-l")


def _h3(text: str) -> html.H3:
    return html.H3(text, className="govuk-heading-m")


def _link(text: str, href: str) -> html.A:
    return html.A(text, href=href, className="govuk-link")


SECTIONS = (
    ("about-synthetic", "All data is synthetic"),
    ("about-framework", "The framework"),
    ("about-methods", "Methods"),
    ("about-data", "The synthetic data"),
    ("about-sources", "Sources and licences"),
    ("about-api", "Using the open API"),
)


def _contents() -> html.Nav:
    return html.Nav(
        [
            html.H2("Contents", className="govuk-heading-s"),
            html.Ul(
                [html.Li(_link(text, f"#{anchor}")) for anchor, text in SECTIONS],
                className="govuk-list",
            ),
        ],
        **aria(label="Contents"),
    )


def _synthetic() -> html.Section:
    return html.Section(
        [
            _h2("All data is synthetic", "about-synthetic"),
            html.Div(
                [
                    html.Span("!", className="govuk-warning-text__icon", **aria(hidden="true")),
                    html.Strong(
                        [
                            html.Span("Warning", className="govuk-visually-hidden"),
                            "Every figure on this site is made up. It is computed from simulated "
                            "child-level returns, not from any real child, family, social worker "
                            "or local authority. Do not quote these numbers as facts about "
                            "England or any area.",
                        ],
                        className="govuk-warning-text__text",
                    ),
                ],
                className="govuk-warning-text",
            ),
            _p(
                "The site shows how England's children's social care indicators could be "
                "published with intervals, coverage and the context each number needs. The "
                "names, codes and populations of the 153 local authorities are real; everything "
                "computed from children's records is not."
            ),
            _p(
                "The one exception: a local authority running its own copy can load its real "
                "SSDA903, CIN census and workforce census returns (python -m data import, or "
                "the upload page). Figures counted from them are marked as that authority's "
                "own in the banner, on the profile, indicator and coverage pages, and in the "
                "data_origin column of every download and API row. When the banner names none, "
                "every figure is synthetic."
            ),
        ],
        **aria(labelledby="about-synthetic"),
    )


def _framework(catalogue: Catalogue) -> html.Section:
    groups = [
        html.Li(
            [
                html.Strong(f"{g.title}. "),
                f"{KIND_NAMES.get(g.kind, g.kind)}, {_count(len(g.indicators), 'indicator')}.",
            ]
        )
        for g in catalogue.groups
    ]
    fields = [
        (
            "Purpose",
            "why the indicator is shown, which question it helps answer, and whether it "
            "measures need, activity, process or an outcome.",
        ),
        (
            "Whose voice is missing",
            "whose experience the number cannot show: children, parents, "
            "carers, referrers, practitioners.",
        ),
        (
            "Coverage",
            "which children and areas fall outside the count, with the gaps measured "
            "from the records for the chosen area and year.",
        ),
        (
            "Hidden needs",
            "needs that a statutory category or threshold hides, and the opposite "
            "stories a single value can tell.",
        ),
        (
            "Caveats",
            "definitions, recording practice and comparability over time and between areas.",
        ),
        ("Risks", "how the number could be misread, and what harm a target on it could cause."),
    ]
    return html.Section(
        [
            _h2("The framework", "about-framework"),
            _p(
                "Indicators are grouped as in the national children's social care framework: "
                "outcomes for children and families, and the enablers that make them possible. "
                "A further group measures how complete the data is."
            ),
            html.Ul(groups, className="govuk-list govuk-list--bullet"),
            _h3("Annotations beside every chart"),
            _p(
                "Each indicator carries six short notes, written for it alone and shown next to "
                "its charts and in its downloads:"
            ),
            html.Dl(
                [
                    html.Div(
                        [
                            html.Dt(name, className="govuk-summary-list__key"),
                            html.Dd(text, className="govuk-summary-list__value"),
                        ],
                        className="govuk-summary-list__row",
                    )
                    for name, text in fields
                ],
                className="govuk-summary-list",
            ),
            _h3("Why annotate the numbers"),
            _p(
                "The Children's Information Project, led from the Rees Centre at the University "
                "of Oxford with Nuffield Foundation funding, argues that information about "
                "children should be judged by whether it serves them: whether it helps meet "
                "their needs and improve outcomes (effective use), and whether it is "
                "proportionate, fair and open about itself (ethical use). Its point, as we "
                "read it, is that national figures are dominated by statutory categories, "
                "thresholds and process measures, so the needs of many children stay hidden, "
                "and the children's own view of their lives is rarely in the data at all."
            ),
            _p(
                "A dashboard cannot fix that, but it can stop a number from pretending to say "
                "more than it does. So every chart here sits beside notes on what the number is "
                "for, who it leaves out, what it cannot hear and how it could mislead. The "
                "annotation fields are our own design, drawing on the project's framework and "
                "on public data ethics guidance; they are not the project's wording."
            ),
        ],
        **aria(labelledby="about-framework"),
    )


def _symbols_table() -> html.Table:
    head = html.Thead(
        html.Tr(
            [
                html.Th("Symbol", scope="col", className="govuk-table__header"),
                html.Th("Meaning", scope="col", className="govuk-table__header"),
                html.Th("When it appears here", scope="col", className="govuk-table__header"),
            ],
            className="govuk-table__row",
        ),
        className="govuk-table__head",
    )
    rows = [
        html.Tr(
            [
                html.Th(symbol, scope="row", className="govuk-table__header"),
                html.Td(
                    SYMBOLS[symbol][0].upper() + SYMBOLS[symbol][1:], className="govuk-table__cell"
                ),
                html.Td(SYMBOL_USE[symbol], className="govuk-table__cell"),
            ],
            className="govuk-table__row",
        )
        for symbol in SYMBOL_ORDER
    ]
    return html.Table(
        [
            html.Caption(
                "Symbols used in tables and downloads",
                className="govuk-table__caption govuk-table__caption--m",
            ),
            head,
            html.Tbody(rows, className="govuk-table__body"),
        ],
        id=ids.ABOUT_SYMBOLS,
        className="govuk-table",
    )


def _methods() -> html.Section:
    return html.Section(
        [
            _h2("Methods", "about-methods"),
            _p(
                "Every figure is computed from unrounded counts of children's records, then "
                "passed through disclosure control before it is shown, downloaded or served by "
                "the API. Rates are per 10,000 children aged 0 to 17, using the ONS mid-year "
                "estimate for the previous calendar year, unless an indicator's definition "
                "says otherwise."
            ),
            _h3("Confidence intervals"),
            _p(
                "Department for Education publications give no intervals for children's social "
                "care, so every interval here is our addition. Each value has a 95% and a 99.8% "
                "interval where the method applies:"
            ),
            _ul(
                "percentages of children: the Wilson score interval, which behaves well for "
                "small counts and for 0% and 100%;",
                "rates per 10,000: the exact Poisson interval for the count, divided by the "
                "population;",
                "means of child-level values (for example Attainment 8 or the SDQ score): a t "
                "interval from the children's mean and standard deviation;",
                "social worker caseloads: an exact Poisson interval for cases per full-time "
                "equivalent, which is approximate because cases are not independent events;",
                "counts, spending and workforce ratios such as turnover and vacancy rates: no "
                "interval, because they are not samples of children.",
            ),
            _p(
                "An interval describes random variation only. It says nothing about recording "
                "differences between areas, which are often larger."
            ),
            _h3("Comparison with England"),
            _p(
                "A local authority is 'higher' or 'lower' than England when England's value lies "
                "outside the authority's 95% interval, and 'similar' otherwise (the single "
                "interval method used by Fingertips). For indicators with a polarity, higher "
                "and lower become 'better' and 'worse'; for the many indicators where a high "
                "value is neither good nor bad, they stay 'higher' and 'lower'."
            ),
            _h3("Funnel plots"),
            _p(
                "A funnel plot shows each authority's value against its number of children, "
                "with control limits around England's value at 95% and 99.8% (Wilson limits "
                "for percentages, exact Poisson limits for rates). Local authorities differ "
                "far more than chance alone would give, so we first test for over-dispersion "
                "(Spiegelhalter, 2005): authorities' z-scores, winsorised at 10% in each tail, "
                "estimate the extra variation. When there is any, the limits are widened by "
                "the additive random-effects method and the chart says that they are adjusted."
            ),
            _h3("Quartiles and ranks"),
            _p(
                "Only indicators with a polarity get a quartile band and a rank. Bands run "
                "from A (best quarter) to D, cut at the 25th, 50th and 75th percentiles of "
                "all authorities' values that year; a value on a cut-point falls in the lower "
                "band. Rank 1 is the best, and tied authorities share the better rank. "
                "Indicators with no polarity show neither, because ranking activity such as "
                "referrals would imply that fewer is better."
            ),
            _h3("Statistical neighbours"),
            _p(
                "Each authority is compared with its 10 statistical neighbours from the "
                "Department for Education's 2025 model, shown both as their median (as on the "
                "DfE dashboard) and as their mean (as in LAIT), with how many neighbours had a "
                "value. Neither is shown when fewer than 5 of the 10 have one."
            ),
            _h3("Trends"),
            _p(
                "The trend marker uses the last five years and only when all five have a "
                "value. For percentages it is the chi-square test for linear trend "
                "(Cochran-Armitage) on the yearly counts; for rates and means it is a "
                "regression of value on year weighted by the inverse of each year's variance, "
                "taken from its 95% interval. A trend is 'increasing' or 'decreasing' when the "
                "test statistic exceeds 9.55 (the 99.8% point of chi-square with one degree of "
                "freedom); otherwise it is 'no significant change'. With large numbers of "
                "children small changes pass the test, so look at the size of the change too."
            ),
            _h3("Disclosure control and symbols"),
            _p(
                "The rules follow the Department for Education's children in need and looked "
                "after children releases. Counts of 1 to 5 are suppressed. A rate or "
                "percentage is suppressed when its numerator is, or when its denominator is 1 "
                "to 5. Secondary suppression hides a further cell whenever a total and all but "
                "one of its parts would be shown, across breakdowns and across authorities "
                "adding up to regions and England. England and regional counts are rounded as "
                "the matching publication rounds them, usually to the nearest 10. Intervals, "
                "comparisons, bands, ranks and neighbour figures are never shown for a "
                "suppressed cell. Although the data is synthetic, the same rules apply, so "
                "the site shows the gaps a real publication would have."
            ),
            _symbols_table(),
            _h3("Coverage and hidden-need signals"),
            _p(
                "Coverage measures are counted from the records themselves for every "
                "authority and year: for example the share of children with ethnicity refused "
                "or not obtained, of school-age children with no ",
                term("UPN"),
                " and so no link to school records, of care leavers not in touch, of "
                "placements with an unknown distance, and returns not received. They follow "
                "the same suppression rules. The ",
                _link("coverage page", "/coverage"),
                " shows them all.",
            ),
            _p(
                "Hidden-need signals suggest where children may be missing rather than absent. "
                "One compares an authority's count with what its size and deprivation (the "
                "share of pupils eligible for free school meals) would predict, from a "
                "negative binomial regression across authorities. The others compare a group "
                "of children (by ethnicity, sex, age or disability) with all children in the "
                "same authority. Each comes with a 95% range, and is computed only from cells "
                "that passed disclosure control. A signal is a prompt to ask why, not a "
                "finding."
            ),
        ],
        **aria(labelledby="about-methods"),
    )


def _data() -> html.Section:
    return html.Section(
        [
            _h2("The synthetic data", "about-data"),
            _p(
                "A simulation follows individual children through referrals, assessments, ",
                term("S47"),
                " enquiries, child protection plans and periods of care, and cuts each "
                "collection year's ",
                term("CIN census"),
                " and ",
                term("SSDA903"),
                " return out of those life courses, as a case management system would on 31 "
                "March. Simulating people rather than yearly totals keeps re-referrals, repeat "
                "plans, placement moves and care leaver cohorts consistent from year to year. "
                "A workforce census, school outcomes linked by ",
                term("UPN"),
                ", spending, Ofsted judgements and injury admissions are simulated alongside.",
            ),
            _p(
                "England's levels and mixes are set from the Department for Education's "
                "published national statistics. Differences between authorities come from "
                "hidden factors drawn for each one (deprivation, demand, practice, workforce "
                "stability), scaled so the spread resembles the published spread. The real "
                "0 to 17 population of each authority sets its size."
            ),
            _h3("Known flaws"),
            _p("Some gaps are put in on purpose, because real returns have them:"),
            _ul(
                "ethnicity refused or not obtained for about 3.5% of children, at the same "
                "rate for every age and authority;",
                "no usable UPN for about 3.5% of children, and 2% of those with one not "
                "matched to school records;",
                "sex recorded as unknown for 0.25% of children;",
                "disability left unrecorded for 28% of disabled children;",
                "the postcode of 8% of placements unknown, so their distance is unknown;",
                "a whole CIN census or SSDA903 return missing for a few in every thousand "
                "authority-years, and spending or injury figures missing for 2%;",
                "gaps in workforce records, especially for agency staff.",
            ),
            _p("Others are limits of the simulation itself:"),
            _ul(
                "differences between authorities come from drawn factors, not from any real "
                "authority's practice, so no pattern here describes a real place;",
                "the flaws above occur at fixed rates, while real recording gaps cluster in "
                "particular authorities, years and groups of children;",
                "postcodes, UPNs and identifiers are synthetic tokens;",
                "some years of the national series are interpolated between published figures.",
            ),
            _p(
                "The generator's own notes (data/synth/README.md in the source code) list "
                "every flaw with its rate in the code, what a 'clean' build leaves out, and "
                "what the Department for Education's validation rules report on the output."
            ),
        ],
        **aria(labelledby="about-data"),
    )


def _sources() -> html.Section:
    return html.Section(
        [
            _h2("Sources and licences", "about-sources"),
            _p(
                "The reference data describes real local authorities and is used under the ",
                html.A(
                    "Open Government Licence v3.0",
                    href=OGL_URL,
                    className="govuk-link",
                    rel="license",
                ),
                ":",
            ),
            _ul(
                "local authority codes, names, regions and the mid-2024 population aged 0 to "
                "17: Source: Office for National Statistics / Department for Education, "
                "licensed under the Open Government Licence v3.0;",
                "statistical neighbours (2025 and 2021 models): Department for Education, "
                "Open Government Licence v3.0;",
                "local authority boundaries: Source: Office for National Statistics licensed "
                "under the Open Government Licence v.3.0. Contains OS data © Crown copyright "
                "and database right 2016.",
            ),
            _p(
                "The hexagon map layout comes from Open Innovations' hex maps, under the MIT "
                "licence. The dashboard's source code is released under the ",
                html.A("MIT licence", href=MIT_URL, className="govuk-link", rel="license"),
                ". The synthetic records and every figure computed from them are made up and "
                "may be reused freely, always with the warning that they are not real.",
            ),
        ],
        **aria(labelledby="about-sources"),
    )


def _api() -> html.Section:
    routes = [
        (f"{API_PREFIX}/indicators", "the catalogue: definitions, units, polarity, annotations"),
        (f"{API_PREFIX}/indicators/{{id}}", "one indicator"),
        (f"{API_PREFIX}/areas", "England, regions and local authorities with their codes"),
        (
            f"{API_PREFIX}/data?indicator=&area=&year=&breakdown=&format=json|csv",
            "indicator values; only the indicator is required",
        ),
        (
            f"{API_PREFIX}/coverage?indicator=&area=&year=",
            "coverage measures and hidden-need signals for an indicator",
        ),
    ]
    return html.Section(
        [
            _h2("Using the open API", "about-api"),
            _p(
                "Everything the charts show can be read as data, without scraping, from a "
                "read-only API. Every response has passed the same disclosure control as the "
                "pages. Unknown indicators, areas or years answer 404 and malformed requests "
                "400, each with a JSON body saying what was wrong."
            ),
            html.Dl(
                [
                    html.Div(
                        [
                            html.Dt(html.Code(route), className="govuk-summary-list__key"),
                            html.Dd(text, className="govuk-summary-list__value"),
                        ],
                        className="govuk-summary-list__row",
                    )
                    for route, text in routes
                ],
                className="govuk-summary-list csc-about-api",
            ),
            _p(
                "For example, ",
                _link(
                    f"{API_PREFIX}/data?indicator=cin_rate&area=E92000001",
                    f"{API_PREFIX}/data?indicator=cin_rate&area=E92000001",
                ),
                " gives England's children in need rate for every year.",
            ),
            _p(
                "The full description, in OpenAPI 3 format for generating clients, is at ",
                _link(f"{API_PREFIX}/openapi.json", f"{API_PREFIX}/openapi.json"),
                ".",
            ),
        ],
        **aria(labelledby="about-api"),
    )
