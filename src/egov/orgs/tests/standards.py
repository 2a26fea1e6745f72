"""The check-character algorithms written out from the standards, independently of python-stdnum,
so that tests compare the code against the standard rather than against itself."""

# GB 11643-1999 §8.2 (ISO 7064 MOD 11-2): weights of positions 1–17 and the check character for Σ mod 11.
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK = "10X98765432"

# GB 32100-2015 §4.2: the 31 code characters (no I, O, S, V, Z), weights 3^(i-1) mod 31.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def ric_check_character(first17: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are ``first17``."""
    return RIC_CHECK[sum(int(d) * w for d, w in zip(first17, RIC_WEIGHTS, strict=True)) % 11]


def resident_id(first17: str) -> str:
    """``first17`` completed with its check character."""
    return first17 + ric_check_character(first17)


def uscc_check_character(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are ``first17``."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc(first17: str) -> str:
    """``first17`` completed with its check character."""
    return first17 + uscc_check_character(first17)
