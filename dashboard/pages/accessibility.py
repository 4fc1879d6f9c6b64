"""Accessibility statement `/accessibility`, in the GOV.UK statement pattern.

Public sector websites must publish one (the Public Sector Bodies Accessibility Regulations
2018), and the DfE dashboard's own statement lists eight failures, most of them from its Plotly
charts. This statement says what we test, how, and which limits remain; it is honest about the
charts themselves because the text summaries and tables are the answer to those limits, not a
claim that the charts are accessible.
"""

from __future__ import annotations

from typing import Any

from dash import html, register_page

from dashboard import ids

PATH = "/accessibility"
TITLE = "Accessibility statement"
SERVICE = "Children's social care indicators (synthetic data)"
ISSUE_TRACKER_URL = "#report-a-problem"  # placeholder until the project's issue tracker is public
EHRC_URL = "https://www.equalityadvisoryservice.com/"
WCAG_URL = "https://www.w3.org/TR/WCAG22/"
ABILITYNET_URL = "https://mcmw.abilitynet.org.uk/"
PREPARED = "This statement was prepared in November 2026 and is reviewed with each release."

register_page(
    __name__,
    path=PATH,
    title=f"{TITLE} - Children's social care indicators",
    name="Accessibility",
    order=95,
)


def _p(*children: Any) -> html.P:
    return html.P(list(children), className="govuk-body")


def _ul(*items: Any) -> html.Ul:
    return html.Ul([html.Li(item) for item in items], className="govuk-list govuk-list--bullet")


def _h2(text: str, anchor: str) -> html.H2:
    return html.H2(text, id=anchor, className="govuk-heading-l")


def _link(text: str, href: str) -> html.A:
    return html.A(text, href=href, className="govuk-link")


def layout(**_query: object) -> html.Div:
    return html.Div(
        [
            html.H1(TITLE, id=ids.ACCESSIBILITY_HEADING, className="govuk-heading-xl"),
            _p(
                f"This statement applies to the {SERVICE} website, including its downloads and "
                "its open API. We want as many people as possible to be able to use it. For "
                "example, you should be able to:"
            ),
            _ul(
                "zoom in up to 400% without the text spilling off the screen, and use the site "
                "on a screen 320 pixels wide;",
                "change colours, contrast levels and fonts using your browser or device settings;",
                "reach every link, button and form field with a keyboard alone;",
                "read every chart's finding as text and its data as a table;",
                "use the site with a screen reader, including recent versions of NVDA, JAWS and "
                "VoiceOver;",
                "print any page, with the synthetic-data notice printed on it.",
            ),
            _p(
                "We have also made the text as simple as we can. ",
                _link("AbilityNet", ABILITYNET_URL),
                " has advice on making your device easier to use if you have a disability.",
            ),
            _h2("How accessible this website is", "accessibility-status"),
            _p(
                "We aim to meet the ",
                _link("Web Content Accessibility Guidelines (WCAG) version 2.2", WCAG_URL),
                " at level AA. What we have done:",
            ),
            _ul(
                "every chart has a heading, a sentence stating what it shows, and a 'View as "
                "table' section with the same numbers in an HTML table with captions and "
                "column and row headers;",
                "every chart's data can be downloaded as a CSV file;",
                "no meaning is carried by colour alone: the chosen area, neighbours, region and "
                "England differ in marker shape and line style as well as colour, comparisons "
                "are written in words, and suppressed values show a symbol explained in the "
                "table notes;",
                "the area picker is a native text field with a list of suggestions, which "
                "works with a keyboard and is announced by screen readers, so you can type a "
                "name or a code and pick from the list;",
                "controls change the page only when you press the button next to them, and "
                "each view has its own web address, so the browser's back button works;",
                "pages reflow to a single column at 320 pixels wide, and charts resize with "
                "the window;",
                "pages have a skip link, one main heading and headings in order, and the page "
                "language is set;",
                "the notice that the data is synthetic is part of every page and every "
                "download, so it cannot be missed by any means of reading the site.",
            ),
            _h2("Known limitations", "accessibility-limitations"),
            _p(
                "We know some parts of this website are not fully accessible. We are honest "
                "about them so that you can use the alternatives:"
            ),
            _ul(
                "The charts themselves are drawn by Plotly, and cannot be explored point by "
                "point with a screen reader or a keyboard. Each chart is a figure named by its "
                "heading and described by its summary sentence, and its numbers are in the "
                "table beneath it. Use the 'View as table' section or the CSV download instead "
                "of the chart.",
                "Chart hover labels appear only on mouse hover or touch. Their content is in "
                "the tables.",
                "Charts with many local authorities (for example a bar for each of 153) do not "
                "label every bar; the table lists every authority by name.",
                "At high zoom the chart toolbar can cover part of a chart. Its only function "
                "that matters, downloading an image, is not needed to read the data.",
                "Some long tables scroll sideways on narrow screens; each scrolling table can "
                "be reached with the keyboard and is labelled for screen readers.",
            ),
            _h2("How we tested this website", "accessibility-testing"),
            _p(
                "Every page, in every state our automated tests reach, is checked with axe-core "
                "version 4 in headless Chromium, and a test fails on any violation. We also "
                "checked each page by keyboard alone (Tab, Shift+Tab, Enter, Space and the "
                "arrow keys) to make sure every control can be reached and used and that focus "
                "is always visible, and at 320 pixels wide and 400% zoom. Automated tools find "
                "only some problems, so this testing does not prove the site is fully "
                "accessible. The site has not yet been audited by an independent accessibility "
                "specialist.",
            ),
            html.H2(
                "Reporting accessibility problems with this website",
                id="report-a-problem",
                className="govuk-heading-l",
            ),
            _p(
                "If you find a problem that is not listed on this page, or think we are not "
                "meeting accessibility requirements, please tell us by opening an issue on ",
                _link("the project's issue tracker", ISSUE_TRACKER_URL),
                ". Say which page and what you were trying to do. If you need information from "
                "this website in a different format, ask there too.",
            ),
            _h2("Enforcement procedure", "accessibility-enforcement"),
            _p(
                "The Equality and Human Rights Commission (EHRC) is responsible for enforcing "
                "the Public Sector Bodies (Websites and Mobile Applications) (No. 2) "
                "Accessibility Regulations 2018 (the 'accessibility regulations'). If you are "
                "not happy with how we respond to your complaint, contact the ",
                _link("Equality Advisory and Support Service (EASS)", EHRC_URL),
                ".",
            ),
            _h2("Technical information about this website's accessibility", "accessibility-tech"),
            _p(
                "This is a demonstration service built with synthetic data. It is committed to "
                "making its website accessible, in line with the accessibility regulations. "
                "It is partially compliant with WCAG version 2.2 AA standard, because of the "
                "chart limitations listed above."
            ),
            html.P(PREPARED, className="govuk-body-s"),
        ],
        className="csc-accessibility",
    )
