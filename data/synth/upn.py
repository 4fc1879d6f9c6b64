"""Unique pupil numbers that pass DfE's check-letter test, so linkage behaves as with real data.

A UPN is a check letter followed by 12 digits: the LA code (3), establishment (4), year of
allocation (2) and a serial (3). The check letter is the weighted sum of the 12 digits (weights 2
to 13 by position) modulo 23, read from the alphabet below. Synthetic UPNs use establishment
numbers from 9000 upward, a range we reserve so they are unlikely to collide with real ones.
"""

from __future__ import annotations

import re

import numpy as np

CHECK_ALPHABET = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))
UPN_PATTERN = re.compile(r"^[A-HJ-NP-RT-Z][0-9]{12}$")
_WEIGHTS = np.arange(2, 14)


def check_letters(digits: np.ndarray) -> np.ndarray:
    """Check letters for an (n, 12) array of digits."""
    return CHECK_ALPHABET[(digits * _WEIGHTS).sum(axis=1) % 23]


def make_upns(la_code: str, serials: np.ndarray, alloc_years: np.ndarray) -> np.ndarray:
    """Valid UPNs, one per serial (unique per LA), allocated in the given calendar years."""
    serials = np.asarray(serials, dtype=np.int64)
    establishment = 9000 + (serials // 1000) % 1000
    body = (
        int(la_code) * 10**9
        + establishment * 10**5
        + (np.asarray(alloc_years) % 100) * 10**3
        + serials % 1000
    )
    digits = (body[:, None] // (10 ** np.arange(11, -1, -1))) % 10
    letters = check_letters(digits)
    return np.char.add(letters.astype("U1"), np.char.zfill(body.astype("U12"), 12))


def is_valid_upn(upn: str) -> bool:
    if not UPN_PATTERN.match(upn):
        return False
    digits = np.array([int(c) for c in upn[1:]])[None, :]
    return bool(check_letters(digits)[0] == upn[0])
