"""Streaming XML in and out for the DfE XML returns.

An LA-year of the CIN census runs to ~15,000 children, so neither side holds the whole document:
the writer serialises one record subtree at a time between hand-written opening and closing
tags, and the reader hands over each record as soon as it is complete and then drops it.
Parsing goes through defusedxml (no DTDs, entities or network), because these files come from
outside. Validation against the DfE rules is a separate step, so nothing here judges content.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from data.returns.frames import ReturnFormatError


def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    """Append ``<tag>text</tag>``; with text None the caller decides whether to keep it."""
    node = ET.SubElement(parent, tag)
    if text is not None:
        node.text = text
    return node


def opt(parent: ET.Element, tag: str, text: str | None) -> None:
    """Append ``<tag>text</tag>`` only when there is a value (optional schema elements)."""
    if text is not None and text != "":
        ET.SubElement(parent, tag).text = text


class StreamWriter:
    """Writes ``<?xml?><outer><inner>...`` then records one by one, then the closing tags."""

    def __init__(self, path: str | Path, wrappers: Sequence[str]) -> None:
        self.path = Path(path)
        self.wrappers = list(wrappers)
        self._fh: IO[bytes] | None = None

    def __enter__(self) -> StreamWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("wb")
        self._fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        return self

    def open(self, tag: str, level: int) -> None:
        self._raw(f"{'  ' * level}<{tag}>\n")

    def close(self, tag: str, level: int) -> None:
        self._raw(f"{'  ' * level}</{tag}>\n")

    def write(self, element: ET.Element, level: int) -> None:
        ET.indent(element, space="  ", level=level)
        assert self._fh is not None
        self._fh.write(b"  " * level)
        self._fh.write(ET.tostring(element, encoding="utf-8", xml_declaration=False))
        self._fh.write(b"\n")

    def _raw(self, text: str) -> None:
        assert self._fh is not None
        self._fh.write(text.encode("utf-8"))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._fh is not None
        self._fh.close()
        if exc_type is not None:
            self.path.unlink(missing_ok=True)


def stream_records(path: str | Path, tags: set[str]) -> Iterator[ET.Element]:
    """Yield each complete element whose tag is in ``tags``, outermost match only, then free it.

    The document's root must be ``Message`` (every DfE XML return). Parse failures and
    forbidden constructs (DTDs, entities) raise ReturnFormatError naming the file.
    """
    stack: list[ET.Element] = []
    depth_in_match = 0
    try:
        for event, elem in SafeET.iterparse(str(path), events=("start", "end")):
            if event == "start":
                if not stack and elem.tag != "Message":
                    raise ReturnFormatError(f"{path}: root element is <{elem.tag}>, not <Message>")
                if elem.tag in tags:
                    depth_in_match += 1
                stack.append(elem)
                continue
            stack.pop()
            if elem.tag in tags:
                depth_in_match -= 1
                if depth_in_match == 0:
                    yield elem
                    if stack:
                        stack[-1].remove(elem)
    except ET.ParseError as exc:
        raise ReturnFormatError(f"{path}: not well-formed XML ({exc})") from exc
    except DefusedXmlException as exc:
        raise ReturnFormatError(f"{path}: XML uses a forbidden construct ({exc!r})") from exc


def top_level_tags(path: str | Path, limit: int = 3) -> tuple[str, list[str]]:
    """The root tag and up to ``limit`` distinct child tags of the root, reading only the start."""
    root = ""
    seen: list[str] = []
    depth = 0
    try:
        for event, elem in SafeET.iterparse(str(path), events=("start", "end")):
            if event == "start":
                depth += 1
                if depth == 1:
                    root = elem.tag
                elif depth == 2 and elem.tag not in seen:
                    seen.append(elem.tag)
                    if len(seen) >= limit:
                        break
            else:
                depth -= 1
    except ET.ParseError as exc:
        raise ReturnFormatError(f"{path}: not well-formed XML ({exc})") from exc
    except DefusedXmlException as exc:
        raise ReturnFormatError(f"{path}: XML uses a forbidden construct ({exc!r})") from exc
    return root, seen


def text_of(parent: ET.Element, tag: str) -> str | None:
    """Stripped text of the first ``tag`` child, None if absent or blank."""
    node = parent.find(tag)
    if node is None or node.text is None:
        return None
    text = node.text.strip()
    return text or None


def header_values(header: ET.Element | None) -> dict[str, str | None]:
    """Year, ReferenceDate and LEA from a DfE ``Header`` block."""
    if header is None:
        return {"Year": None, "ReferenceDate": None, "LEA": None}
    details = header.find("CollectionDetails")
    source = header.find("Source")
    return {
        "Collection": text_of(details, "Collection") if details is not None else None,
        "Year": text_of(details, "Year") if details is not None else None,
        "ReferenceDate": text_of(details, "ReferenceDate") if details is not None else None,
        "LEA": text_of(source, "LEA") if source is not None else None,
    }


def resolve_keys(
    path: str | Path, header: dict[str, str | None], la_code: str | None, year: int | None
) -> tuple[str, int]:
    """LA code and year from the caller or the file header; a mismatch between them is an error."""
    file_la = header.get("LEA")
    file_year_text = header.get("Year")
    try:
        file_year = int(file_year_text) if file_year_text else None
    except ValueError:
        raise ReturnFormatError(
            f"{path}: Header/CollectionDetails/Year {file_year_text!r} is not a year"
        ) from None
    if la_code is not None and file_la is not None and file_la != la_code:
        raise ReturnFormatError(
            f"{path}: Header/Source/LEA is {file_la!r} but the return was given for LA {la_code!r}"
        )
    if year is not None and file_year is not None and file_year != year:
        raise ReturnFormatError(
            f"{path}: Header/CollectionDetails/Year is {file_year} but the return was given "
            f"for year {year}"
        )
    la = la_code or file_la
    yr = year or file_year
    if la is None or yr is None:
        raise ReturnFormatError(
            f"{path}: no Header/Source/LEA or Header/CollectionDetails/Year and none given"
        )
    return la, yr


SOFTWARE_CODE = "csc-indicators (synthetic)"


def message_header(
    collection: str,
    year: int,
    reference_date: str,
    la_code: str,
    created: datetime,
    extra_source: Sequence[tuple[str, str]] = (),
) -> ET.Element:
    """The Header block both DfE XML returns open with; ``extra_source`` holds the Source
    elements one schema has and the other lacks (CIN's Release and SerialNo), in schema order
    before DateTime."""
    header = ET.Element("Header")
    details = sub(header, "CollectionDetails")
    sub(details, "Collection", collection)
    sub(details, "Year", str(year))
    sub(details, "ReferenceDate", reference_date)
    source = sub(header, "Source")
    sub(source, "SourceLevel", "L")
    sub(source, "LEA", la_code)
    sub(source, "SoftwareCode", SOFTWARE_CODE)
    for tag, text in extra_source:
        sub(source, tag, text)
    sub(source, "DateTime", created.replace(microsecond=0).isoformat())
    return header
