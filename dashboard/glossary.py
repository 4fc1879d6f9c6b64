"""The words of children's social care and of statistics that the pages use, defined once.

Terms are data, not page prose, so every page explains an abbreviation the same way: the glossary
page lists them with stable anchors (``/glossary#term-cin``) that other pages can link to, and
``term("CIN")`` gives the ``<abbr>`` a page shows where a term first appears. The definitions are
written for a council member or a journalist, not for an analyst.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dash import html

from dashboard.formatting import SYMBOLS as FORMAT_SYMBOLS

GLOSSARY_PATH = "/glossary"


@dataclass(frozen=True)
class Term:
    """One glossary entry: ``name`` as pages write it, ``expansion`` for an abbreviation."""

    name: str
    definition: str
    category: str
    expansion: str = ""

    @property
    def anchor(self) -> str:
        return term_anchor(self.name)

    @property
    def href(self) -> str:
        return f"{GLOSSARY_PATH}#{self.anchor}"


CARE = "Children's social care"
STATS = "Statistics and data"
SYMBOLS = "Symbols in tables"
CATEGORIES = (CARE, STATS, SYMBOLS)

TERMS: tuple[Term, ...] = (
    # ------------------------------------------------------------ children's social care
    Term(
        "LA",
        "A council responsible for children's services in its area. England has 153 of them; "
        "each sends the returns these figures are computed from.",
        CARE,
        "local authority",
    ),
    Term(
        "Referral",
        "A request to children's social care to consider whether a child needs help or "
        "protection, from a school, the police, a health worker, a relative or anyone else. "
        "Counted when the council accepts it as a referral, not at first contact.",
        CARE,
    ),
    Term(
        "Re-referral",
        "A referral about a child who was last referred within the previous 12 months.",
        CARE,
    ),
    Term(
        "Early help",
        "Support offered before a child's needs reach the threshold for statutory social care, "
        "often by schools, health visitors or family hubs. It is not in the national returns, "
        "so it is invisible in these figures.",
        CARE,
    ),
    Term(
        "CIN",
        "A child whose health or development is likely to suffer without services from the "
        "council (Children Act 1989, section 17). In the statistics it covers every child with an "
        "open social care case, including those on a protection plan and those in care.",
        CARE,
        "child in need",
    ),
    Term(
        "S47",
        "An enquiry the council must make when it suspects a child is suffering, or is likely "
        "to suffer, significant harm (Children Act 1989, section 47).",
        CARE,
        "section 47 enquiry",
    ),
    Term(
        "ICPC",
        "A meeting of the family and professionals, held after a section 47 enquiry, that "
        "decides whether the child needs a child protection plan. Guidance expects it within 15 "
        "working days of the strategy discussion.",
        CARE,
        "initial child protection conference",
    ),
    Term(
        "CPP",
        "A multi-agency plan for a child judged to be at continuing risk of significant harm, "
        "agreed at a child protection conference and reviewed until it ends.",
        CARE,
        "child protection plan",
    ),
    Term(
        "Assessment factors",
        "What the social worker records at the end of an assessment as contributing to the "
        "child's needs, such as domestic abuse, neglect, mental health or going missing. A child "
        "can have several.",
        CARE,
    ),
    Term(
        "CLA",
        "A child in the care of the council, under a care order or accommodated by agreement "
        "with their parents (Children Act 1989, section 20). Also called a child in care.",
        CARE,
        "child looked after",
    ),
    Term(
        "UASC",
        "A child who has come to the UK to claim asylum without a parent or carer. Councils look "
        "after them, and many move between councils under the National Transfer Scheme.",
        CARE,
        "unaccompanied asylum-seeking child",
    ),
    Term(
        "SGO",
        "A court order that makes a relative, friend or foster carer a child's special guardian "
        "until they are 18, giving them parental responsibility without ending the birth "
        "parents' legal relationship. It is one way a child leaves care.",
        CARE,
        "special guardianship order",
    ),
    Term(
        "CAO",
        "A court order saying who a child lives with (formerly a residence order). Like a "
        "special guardianship order it can end a child's time in care within the family network.",
        CARE,
        "child arrangements order",
    ),
    Term(
        "Placement",
        "Where a child in care lives: with foster carers, in a children's home, in supported "
        "accommodation, with parents, or placed for adoption.",
        CARE,
    ),
    Term(
        "Care leaver",
        "A young person aged 17 to 21 (up to 25 if still supported) who was in care for at "
        "least 13 weeks after turning 14, including some time after turning 16.",
        CARE,
    ),
    Term(
        "Staying put",
        "An arrangement that lets a care leaver go on living with their former foster carers "
        "after turning 18.",
        CARE,
    ),
    Term(
        "EET",
        "Education, employment or training, recorded for care leavers around their birthdays "
        "at 17 to 21.",
        CARE,
        "education, employment or training",
    ),
    Term(
        "SDQ",
        "A 25-question questionnaire about a child's emotional and behavioural wellbeing, "
        "completed by the carer of each child in care for a year or more, aged 4 to 16. Scores "
        "run from 0 to 40; higher scores mean more difficulties, and 17 or more is a cause for "
        "concern.",
        CARE,
        "strengths and difficulties questionnaire",
    ),
    Term(
        "Agency social worker",
        "A social worker supplied by an agency rather than employed by the council; high "
        "shares tend to mean more changes of social worker for children.",
        CARE,
    ),
    Term(
        "FTE",
        "Staff numbers counted by hours: two half-time social workers count as one full-time "
        "equivalent.",
        CARE,
        "full-time equivalent",
    ),
    Term(
        "Ofsted",
        "The inspectorate for children's services; its inspections of local authority "
        "children's services (ILACS) grade leadership outstanding, good, requires improvement "
        "or inadequate.",
        CARE,
        "Office for Standards in Education, Children's Services and Skills",
    ),
    # ------------------------------------------------------------ data and statistics
    Term(
        "CIN census",
        "The yearly return of every child in need from each council to the Department for "
        "Education, covering referrals, assessments, enquiries and protection plans.",
        STATS,
    ),
    Term(
        "SSDA903",
        "The yearly return of every child looked after and every care leaver, from each "
        "council to the Department for Education.",
        STATS,
        "the children looked after return",
    ),
    Term(
        "CSWW",
        "The yearly census of children's social workers: posts, vacancies, agency staff, "
        "leavers and caseloads.",
        STATS,
        "children's social work workforce census",
    ),
    Term(
        "UPN",
        "The number that identifies a pupil in school records. A child whose social care "
        "record has no UPN cannot be linked to attendance or attainment, so drops out of the "
        "education indicators.",
        STATS,
        "unique pupil number",
    ),
    Term(
        "KS2",
        "Key stage 2: the last years of primary school; results are the tests taken at about "
        "age 11 in reading, writing and maths.",
        STATS,
        "key stage 2",
    ),
    Term(
        "Attainment 8",
        "A pupil's average grade across eight GCSE-level subjects, with English and maths "
        "counted twice.",
        STATS,
    ),
    Term(
        "LAIT",
        "The Department for Education's local authority interactive tool, which compares "
        "councils on several hundred published measures.",
        STATS,
        "local authority interactive tool",
    ),
    Term(
        "Rate per 10,000",
        "How many children out of every 10,000 children aged 0 to 17 living in the area, so "
        "areas of different size can be compared.",
        STATS,
    ),
    Term(
        "Statistical neighbours",
        "The ten councils most like a given council in population and deprivation, chosen by "
        "the Department for Education's model. Pages show their median or mean, and say which.",
        STATS,
    ),
    Term(
        "Median",
        "The middle value when values are put in order: half are above it, half below.",
        STATS,
    ),
    Term(
        "Percentile",
        "The value below which a given share of areas fall: 10% of councils are below the 10th "
        "percentile and 90% below the 90th, so the two bound the middle 80%.",
        STATS,
    ),
    Term(
        "Quartile",
        "One of four equal-sized bands of councils after ordering them by value. With an "
        "indicator where higher or lower is better, band A holds the best quarter and D the "
        "worst.",
        STATS,
    ),
    Term(
        "Polarity",
        "Whether a higher value is better, worse, or neither. Many indicators here deliberately "
        "make no judgement, because a high or low value can be good or bad for different "
        "reasons.",
        STATS,
    ),
    Term(
        "Confidence interval",
        "A range that shows how much a figure could vary by chance, for example because a "
        "council has few children in the count. A 95% interval would contain the underlying "
        "value in 95 of 100 repetitions.",
        STATS,
    ),
    Term(
        "Funnel plot",
        "A chart of each council's value against its size, with limits that narrow as size "
        "grows. Points outside the limits differ from England by more than chance would "
        "explain; small councils vary more, and the funnel allows for that.",
        STATS,
    ),
    Term(
        "Trend",
        "Whether a figure rose or fell over the latest five years by more than chance would "
        "explain: increasing, decreasing or no significant change.",
        STATS,
    ),
    Term(
        "Coverage",
        "How complete the records behind a figure are: returns not received, children with no "
        "ethnicity or UPN recorded, care leavers out of touch. A figure is only as good as its "
        "coverage.",
        STATS,
    ),
    Term(
        "Hidden needs",
        "Needs that a figure cannot show: children who never reached a service, were turned "
        "away, or whose records miss the field being counted.",
        STATS,
    ),
    Term(
        "Suppression",
        "Hiding a small count, or a figure from which one could be worked out, so that no "
        "child can be identified. Suppressed cells show the symbol c.",
        STATS,
    ),
    Term(
        "Synthetic data",
        "Records made up by a simulation that behaves like real returns. Every figure on this "
        "site is synthetic: none describes a real child or council.",
        STATS,
    ),
)
# The DfE symbols: one wording, shared with the tables and downloads (dashboard.formatting).
TERMS += tuple(
    Term(symbol, meaning[0].upper() + meaning[1:] + ".", SYMBOLS)
    for symbol, meaning in FORMAT_SYMBOLS.items()
)

_BY_KEY = {t.name.lower(): t for t in TERMS}


def term_anchor(name: str) -> str:
    """The fragment id of a term: 'CIN' -> 'term-cin', 'Rate per 10,000' ->
    'term-rate-per-10-000'."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"term-{slug}"


def lookup(name: str) -> Term:
    """The term called ``name`` (any case); KeyError names an unknown one."""
    found = _BY_KEY.get(name.strip().lower())
    if found is None:
        raise KeyError(f"no glossary term '{name}'")
    return found


def term(abbrev: str) -> html.Abbr:
    """``<abbr title="child in need">CIN</abbr>`` for a page's first use of a term; a term that
    is not an abbreviation gets its definition as the title."""
    entry = lookup(abbrev)
    return html.Abbr(entry.name, title=entry.expansion or entry.definition)


def term_link(name: str, text: str | None = None) -> html.A:
    """A link to the term's entry on the glossary page."""
    entry = lookup(name)
    return html.A(text or entry.name, href=entry.href, className="govuk-link")
