"""Unique pupil numbers: shape and check letter, for a whole column at once.

A UPN is 13 characters: a check letter, then 12 digits (a temporary UPN ends in a letter
instead of the last digit). The check letter is the weighted sum of characters 2 to 13 (weights
2 to 13) modulo 23, read from the alphabet below, which leaves out I, O and S; a letter in the
last place counts as its position in that alphabet [verify against DfE's UPN guidance]. A wrong
letter means a typo, and a typo breaks the link to school records, so it is worth a warning;
it does not change any social care count, so it is not an error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
_LETTER = f"[{ALPHABET}]"
UPN_SHAPE = rf"{_LETTER}[0-9]{{11}}(?:[0-9]|{_LETTER})"
_WEIGHTS = np.arange(2, 14)
_VALUE = np.full(128, -1, dtype=np.int64)
_VALUE[ord("0") : ord("9") + 1] = np.arange(10)
for _i, _c in enumerate(ALPHABET):
    _VALUE[ord(_c)] = _i


def upn_shape_ok(values: pd.Series) -> pd.Series:
    """True where the text is a permanent or temporary UPN in form (13 characters)."""
    return values.astype(str).str.fullmatch(UPN_SHAPE).fillna(False).astype(bool)


def check_letters(values: pd.Series) -> pd.Series:
    """The check letter each well-formed UPN should start with (the input must pass
    ``upn_shape_ok``)."""
    if values.empty:
        return pd.Series([], index=values.index, dtype=object)
    codes = np.frombuffer("".join(values.astype(str)).encode("ascii"), dtype=np.uint8)
    chars = _VALUE[codes.reshape(len(values), 13)[:, 1:]]
    remainder = (chars * _WEIGHTS).sum(axis=1) % 23
    return pd.Series(np.array(list(ALPHABET))[remainder], index=values.index, dtype=object)
