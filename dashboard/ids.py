"""Component ids in one place, so layouts, callbacks and browser tests cannot drift apart."""

from __future__ import annotations

SKIP_LINK = "skip-link"
HEADER = "site-header"
PHASE_BANNER = "phase-banner"
MAIN = "main-content"
FOOTER = "site-footer"
CHOSEN_AREA = "chosen-area"  # dcc.Store (localStorage): the area the user last chose

HOME_HEADING = "home-heading"
HOME_LA_TABLE = "home-la-table"
HOME_LA_COUNT = "home-la-count"

NOT_FOUND_HEADING = "not-found-heading"

# LA profile page (/la, /la/<area_code>)
PROFILE_LOCATION = "profile-location"
PROFILE_HEADING = "profile-heading"
PROFILE_PICKER = "profile-picker"
PROFILE_PICKER_BUTTON = "profile-picker-button"
PROFILE_PICKER_ERROR = "profile-picker-error"
PROFILE_YEAR = "profile-year"
PROFILE_AREA = "profile-area"  # dcc.Store: the area the page shows, for the chosen-area store
PROFILE_SUMMARY = "profile-summary"  # the summary tables, one per framework group
PROFILE_SPINE = "profile-spine"
PROFILE_NEIGHBOURS = "profile-neighbours"
PROFILE_DOWNLOAD = "profile-download"
PROFILE_NOT_FOUND = "profile-not-found"

# Compare page (/compare)
COMPARE_LOCATION = "compare-location"
COMPARE_HEADING = "compare-heading"
COMPARE_STATE = "compare-state"  # dcc.Store: the validated selection the URL holds
COMPARE_AREA_PICKER = "compare-area-picker"
COMPARE_ADD_AREA = "compare-add-area"
COMPARE_ADD_NEIGHBOURS = "compare-add-neighbours"
COMPARE_ADD_REGION = "compare-add-region"
COMPARE_REMOVE_AREA = "compare-remove-area"  # pattern-matching: {"type": ..., "code": code}
COMPARE_AREA_LIST = "compare-area-list"
COMPARE_INDICATORS = "compare-indicators"  # pattern-matching: {"type": ..., "group": group}
COMPARE_INDICATOR_SEARCH = "compare-indicator-search"
COMPARE_ADD_INDICATOR = "compare-add-indicator"
COMPARE_YEARS = "compare-years"
COMPARE_APPLY = "compare-apply"
COMPARE_MESSAGE = "compare-message"
COMPARE_TABLES = "compare-tables"
COMPARE_CHART = "compare-chart"
COMPARE_DOWNLOAD = "compare-download"

# Indicator page (/indicator/<indicator_id>)
INDICATOR_HEADING = "indicator-heading"
INDICATOR_LOCATION = "indicator-location"  # dcc.Location (callback-nav): controls -> URL
INDICATOR_VIEW = "indicator-view"  # dcc.Store: the indicator and view the page shows
INDICATOR_REDIRECTED = "indicator-redirected"  # dcc.Store (session): paths already redirected
INDICATOR_AREA = "indicator-area"  # area picker input
INDICATOR_YEAR = "indicator-year"
INDICATOR_BREAKDOWN = "indicator-breakdown"
INDICATOR_COMPARE = "indicator-compare"
INDICATOR_APPLY = "indicator-apply"  # button: the controls -> a new address
INDICATOR_MESSAGE = "indicator-message"
INDICATOR_ANNOTATIONS = "indicator-annotations"
INDICATOR_DEFINITION = "indicator-definition"
INDICATOR_TIMESERIES = "indicator-timeseries"  # chart blocks: the graph is "<block>-graph"
INDICATOR_BARS = "indicator-bars"
INDICATOR_FUNNEL = "indicator-funnel"
INDICATOR_MAP = "indicator-map"
INDICATOR_BREAKDOWN_CHART = "indicator-breakdown-chart"

# Shell navigation, overview page (/) and glossary page (/glossary)
NAV = "site-nav"
ANNOUNCER = "announcer"  # persistent polite live region (assets/nav.js copies [data-announce])
OVERVIEW_HEADING = "overview-heading"
OVERVIEW_LOCATION = "overview-location"  # dcc.Location (callback-nav): search -> ?q=
OVERVIEW_SEARCH = "overview-search"  # the search box
OVERVIEW_SEARCH_BUTTON = "overview-search-button"
OVERVIEW_SEARCH_ERROR = "overview-search-error"
OVERVIEW_RESULT_COUNT = "overview-result-count"  # aria-live: how many indicators match
OVERVIEW_HOW_TO_READ = "overview-how-to-read"
OVERVIEW_CARDS = "overview-cards"  # every framework section of cards
OVERVIEW_CARD = "overview-card"  # card ids are "overview-card-<indicator_id>"
GLOSSARY_HEADING = "glossary-heading"
GLOSSARY_LIST = "glossary-list"  # sections are "glossary-list-<n>"

# Coverage page (/coverage), about page (/about) and accessibility statement (/accessibility)
COVERAGE_HEADING = "coverage-heading"
COVERAGE_LOCATION = "coverage-location"  # dcc.Location (callback-nav): controls -> URL
COVERAGE_VIEW = "coverage-view"  # dcc.Store: the validated view the page shows
COVERAGE_MEASURE = "coverage-measure"  # radios: which gap
COVERAGE_YEAR = "coverage-year"  # radios
COVERAGE_AREA = "coverage-area"  # area picker input
COVERAGE_REMEMBERED = "coverage-remembered"  # offers the LA chosen on another page
COVERAGE_APPLY = "coverage-apply"
COVERAGE_ALL_LAS = "coverage-all-las"  # chart blocks: the graph is "<block>-graph"
COVERAGE_PROFILE = "coverage-profile"
COVERAGE_LINK = "coverage-link"
COVERAGE_LINK_INDICATORS = "coverage-link-indicators"
COVERAGE_RETURNS = "coverage-returns"  # table of returns not received
COVERAGE_GAPS = "coverage-gaps"  # what each gap does to which indicators
COVERAGE_NOT_FOUND = "coverage-not-found"
ABOUT_HEADING = "about-heading"
ABOUT_SYMBOLS = "about-symbols"
ACCESSIBILITY_HEADING = "accessibility-heading"

# Marks of an LA's own (imported) returns on the profile, indicator and coverage pages
PROFILE_ORIGIN = "profile-origin"
INDICATOR_ORIGIN = "indicator-origin"
COVERAGE_ORIGINS = "coverage-origins"  # section: which LA-years are imported

# Upload page (/upload, only with CSC_ALLOW_UPLOAD=1 and from this machine)
UPLOAD_HEADING = "upload-heading"
UPLOAD_LA = "upload-la"  # area picker input (LAs only)
UPLOAD_YEAR = "upload-year"  # radios
UPLOAD_FILES = "upload-files"  # dcc.Upload (multiple)
UPLOAD_FILE_LIST = "upload-file-list"  # the names of the files chosen
UPLOAD_CHECK = "upload-check"  # button: save the files under a token and validate them
UPLOAD_FORM_ERROR = "upload-form-error"
UPLOAD_STATE = "upload-state"  # dcc.Store: the token, LA and year checked (never file contents)
UPLOAD_STATUS = "upload-status"  # polite live region: the verdict
UPLOAD_RESULT = "upload-result"  # the report
UPLOAD_SUMMARY = "upload-summary"
UPLOAD_COUNTS = "upload-counts"
UPLOAD_FINDINGS = "upload-findings"
UPLOAD_REPORT_CSV = "upload-report-csv"
UPLOAD_CONFIRM = "upload-confirm"  # button: load the checked files (only when no errors)
UPLOAD_OUTCOME = "upload-outcome"  # what the load did, with a link to the LA's profile
UPLOAD_PROFILE_LINK = "upload-profile-link"
