"""Number formatting of every plot, page and table of scripts/plot, scripts/report and
headline.py: the one place that says how a dollar amount or a large count is written.

Axis formatters (usable with matplotlib's FuncFormatter, which passes a tick position):
  usd(x)    USD with a T/B/M/k suffix and 3 significant digits: "$1.2B", "-$350k"
  si(x)     a count with the same suffixes: "2.5M" (GPUs, GPU-hours, HHI points)
  price(x)  USD per GPU-hour with cents: "$2.00"
Finer text for tables that compare close amounts (4 significant digits):
  usd4(v)   "$22.04M", "-$55.42k"
  si4(v)    "1.236k", "300k"
  usd_sig(x, digits)  usd with that many significant digits (axes whose ticks are close)
Fixed-unit text for tables:
  usd_b(v)  billions with 2 decimals, "$101.42B" (millions too when that would read $0.0xB)
  mil(v)    millions with 2 decimals, "840.94M"
  pct(v)    a share 0-1 as a percentage with 1 decimal, "70.9%"
  plain(v)  a number with thousands separators, "5,313" (digits=2: "1.88")
None and NaN print "n/a" (price: `missing`).
"""
import math

_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def _scaled(a, digits):
    """(scale, suffix) for |x| = a: the largest suffix that a reaches once rounded to `digits`
    significant digits (999.6e9 with 3 digits is "1T", not "1e+03B")."""
    for scale, suffix in _SUFFIXES:
        if a >= scale * (1 - 0.5 * 10.0 ** -digits):
            return scale, suffix
    return 1.0, ""


def _missing(x):
    return x is None or (isinstance(x, float) and math.isnan(x))


def _usd(x, digits):
    if _missing(x):
        return "n/a"
    sign, a = ("-" if x < 0 else ""), abs(x)
    scale, suffix = _scaled(a, digits)
    return f"{sign}${a / scale:.{digits}g}{suffix}"


def _si(x, digits):
    if _missing(x):
        return "n/a"
    scale, suffix = _scaled(abs(x), digits)
    return f"{x / scale:.{digits}g}{suffix}"


def usd(x, _pos=None):
    return _usd(x, 3)


def si(x, _pos=None):
    return _si(x, 3)


def usd4(v):
    return _usd(v, 4)


def usd_sig(x, digits):
    return _usd(x, digits)


def si4(v):
    return _si(v, 4)


def price(x, _pos=None, missing="n/a"):
    return missing if _missing(x) else f"${x:.2f}"


def usd_b(v):
    if _missing(v):
        return "n/a"
    sign = "-" if v < 0 else ""
    text = f"{sign}${abs(v) / 1e9:,.2f}B"
    if 5e4 <= abs(v) < 5e7:  # would read $0.00B or $0.01B: say how much in millions too
        text += f" ({sign}${abs(v) / 1e6:,.1f}M)"
    return text


def mil(v):
    return "n/a" if _missing(v) else f"{v / 1e6:,.2f}M"


def pct(v):
    return "n/a" if _missing(v) else f"{100 * v:.1f}%"


def plain(v, digits=0):
    return "n/a" if _missing(v) else f"{v:,.{digits}f}"
