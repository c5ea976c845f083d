"""Numbers people type for targets and amounts: ASCII digits, at most two decimals, never a float."""

from __future__ import annotations

import re
from decimal import Decimal

from models.errors import BadArgument

# Twelve digits before the point: more than any community's budget, and inside Numeric(14, 2).
_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?", re.ASCII)
MAX_AMOUNT = Decimal("999999999999.99")


def parse_amount(word: str, *, what: str = "amount") -> Decimal:
    """A positive amount such as `1200` or `99.50`: ASCII digits only, at most two decimals."""
    word = word.strip().replace(",", "") if re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", word.strip(),
                                                         re.ASCII) else word.strip()
    if not _AMOUNT.fullmatch(word):
        if re.fullmatch(r"[0-9]+\.[0-9]{3,}", word, re.ASCII):
            raise BadAmount(f"“{word[:20]}” has more than two decimals: say the {what} to the cent, e.g. `99.50`.")
        if re.fullmatch(r"[0-9]{13,}(?:\.[0-9]*)?", word, re.ASCII):
            raise BadAmount(f"That {what} is too large: at most {MAX_AMOUNT:,}.")
        raise BadAmount(f"“{word[:20]}” is not an {what}: write it with the digits 0-9 and at most two decimals, "
                        "e.g. `1200` or `99.50`.")
    amount = Decimal(word)
    if amount <= 0:
        raise BadAmount(f"The {what} must be more than 0.")
    return amount


def shown(amount: Decimal) -> str:
    """`1,200.00`: grouped, always two decimals."""
    return f"{amount:,.2f}"



class BadAmount(BadArgument):
    """An amount or a target that is not a positive number with at most two decimals."""
