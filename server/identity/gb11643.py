"""The citizen identification number of GB 11643-1999: 17 digits and a check character.

Digits 1-6 are the region of registration, 7-14 the date of birth (YYYYMMDD), 15-17 a sequence
(odd for men, even for women), 18 the check character of ISO 7064 MOD 11-2: each of the first 17
digits times its weight 2^(17-i) mod 11, summed, mod 11, mapped through "10X98765432".
"""
from __future__ import annotations

from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


class InvalidIdNumber(ValueError):
    """The number is not a GB 11643 number; `reason` says why (format, birth_date, check_digit)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalise(raw: str) -> str:
    """Spaces removed, a lower-case x made upper case."""
    return "".join((raw or "").split()).upper()


def check_character(first17: str) -> str:
    """The check character the first 17 digits call for."""
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def birth_date(number: str) -> date:
    """The date of birth written in digits 7-14."""
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate(raw: str) -> str:
    """The normalised number, or InvalidIdNumber."""
    number = normalise(raw)
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise InvalidIdNumber("format")
    try:
        born = birth_date(number)
    except ValueError:
        raise InvalidIdNumber("birth_date") from None
    if not date(1900, 1, 1) <= born <= date.today():
        raise InvalidIdNumber("birth_date")
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber("check_digit")
    return number


def masked(number: str) -> str:
    """The form shown on pages and in answers: the first three and the last two characters."""
    return number[:3] + "*" * (len(number) - 5) + number[-2:]
