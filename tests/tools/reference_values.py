"""Writes tests/data/reference_values.json: exact values of every activation
and its derivative at a fixed set of inputs, for tests/ulp_test.ts to hold
tests/_reference.ts to (the reference must round each one correctly, to
float64 and to float32).

Run from the repository root with Python 3 and mpmath:

    python3 tests/tools/reference_values.py
    deno fmt tests/data/reference_values.json

Values are computed with 300-bit arithmetic (3000 bits below 1e-280, where
a halfway case between subnormals is decided by a term of size x^2), and
written with 40 significant digits (more at tiny x, where a halfway case is
decided far down): far more than a correct rounding needs.
Each entry is [function, "y" or "dx", x, dy, exact value of y or dy f'(x)].
"""

import json
import random

from mpmath import mp, mpf, erfc, exp, expm1, log1p, sqrt, pi, tanh, nstr

mp.prec = 300

SELU_ALPHA = mpf("1.6732632423543772848170429916717")
SELU_SCALE = mpf("1.0507009873554804934193349852946")
GELU_CUBIC = mpf("0.044715")


def sigmoid(z):
    if z >= 0:
        return 1 / (1 + exp(-z))
    e = exp(z)
    return e / (1 + e)


def sigmoid_slope(z):
    e = exp(-abs(z))
    return e / (1 + e) ** 2


def gauss_cdf(x):
    return erfc(-x / sqrt(2)) / 2


def gauss_pdf(x):
    return exp(-x * x / 2) / sqrt(2 * pi)


def gelu_tanh_w(x):
    return 2 * sqrt(2 / pi) * (x + GELU_CUBIC * x ** 3)


def gelu_tanh_dw(x):
    return 2 * sqrt(2 / pi) * (1 + 3 * GELU_CUBIC * x * x)


def tanh_softplus(x):
    if x > 0:
        q = exp(-x)
        return (1 + 2 * q) / (1 + 2 * q + 2 * q * q)
    e = exp(x)
    n = e * (e + 2)
    return n / (n + 2)


def softplus(x, beta):
    z = beta * x
    if z > 0:
        return (z + log1p(exp(-z))) / beta
    return log1p(exp(z)) / beta


# name -> (parameters, forward, derivative); the names of
# tests/_reference.ts's `exact`.
FUNCTIONS = {
    "elu": ([1], lambda x, a: x if x > 0 else a * expm1(x),
            lambda x, a: 1 if x > 0 else a * exp(x)),
    "elu alpha=0.5": ([0.5], lambda x, a: x if x > 0 else a * expm1(x),
                      lambda x, a: 1 if x > 0 else a * exp(x)),
    "selu": ([], lambda x: SELU_SCALE * x if x > 0
             else SELU_SCALE * SELU_ALPHA * expm1(x),
             lambda x: SELU_SCALE if x > 0
             else SELU_SCALE * SELU_ALPHA * exp(x)),
    "celu alpha=0.3": ([0.3], lambda x, a: x if x > 0 else a * expm1(x / a),
                       lambda x, a: 1 if x > 0 else exp(x / a)),
    "gelu": ([], lambda x: x * gauss_cdf(x),
             lambda x: gauss_cdf(x) + x * gauss_pdf(x)),
    "geluTanh": ([], lambda x: x * sigmoid(gelu_tanh_w(x)),
                 lambda x: sigmoid(gelu_tanh_w(x)) + x *
                 sigmoid_slope(gelu_tanh_w(x)) * gelu_tanh_dw(x)),
    "silu": ([1], lambda x, b: x * sigmoid(b * x),
             lambda x, b: sigmoid(b * x) + b * x * sigmoid_slope(b * x)),
    "silu beta=1.702": ([1.702], lambda x, b: x * sigmoid(b * x),
                        lambda x, b: sigmoid(b * x) +
                        b * x * sigmoid_slope(b * x)),
    "mish": ([], lambda x: x * tanh_softplus(x),
             lambda x: tanh_softplus(x) +
             x * sigmoid(x) * (1 - tanh_softplus(x) ** 2)),
    "sigmoid": ([], sigmoid, sigmoid_slope),
    "tanh": ([], tanh, lambda x: 4 * exp(-2 * abs(x)) /
             (1 + exp(-2 * abs(x))) ** 2),
    "softplus": ([1], softplus, lambda x, b: sigmoid(b * x)),
    "softplus beta=2": ([2], softplus, lambda x, b: sigmoid(b * x)),
    "softsign": ([], lambda x: x / (1 + abs(x)),
                 lambda x: 1 / (1 + abs(x)) ** 2),
    "hardSwish": ([], lambda x: 0 if x <= -3 else (x if x >= 3
                  else x * (x + 3) / 6),
                  lambda x: 0 if x <= -3 else (1 if x >= 3
                  else (2 * x + 3) / 6)),
}

# Inputs across the regimes: far tails (subnormal and scaled results),
# zeros of derivatives, moderate values, tiny values (halfway cases), and
# seeded random ones.
POINTS = [
    -1400.5, -744.4, -708.39, -700.25, -400.1, -103.97, -87.3, -38.6,
    -37.9, -26.4, -20.95, -19.0060163, -12.5, -5.3, -3.0000001, -1.2784645,
    -1.19243121, -0.75246142, -0.75179152, -0.5, -1e-5, -1e-300, -3e-320,
    -5e-324, 5e-324, 2.5e-316, 1e-300, 1e-8, 0.3, 1.5, 2.9999999, 9.9,
    30.2, 88.7, 705.5, 1e154, 1e300,
]


def exact_at(f, x, params):
    if x != 0 and abs(x) < 1e-280:
        with mp.workprec(3000):
            return f(mpf(x), *map(mpf, params))
    return f(mpf(x), *map(mpf, params))


def decimal(v, x, kind):
    """40 digits, and for a value at a tiny x as many more as x has leading
    zeros: there f(x) is x/2 + c x^2, and the x^2 that decides a halfway
    case between subnormals lies that far down. "0" for an exact zero,
    whose sign the test leaves to the reference's convention."""
    if v == 0:
        return "0"
    digits = 40
    if kind == "y" and x != 0 and abs(x) < 1e-280:
        digits += int(-mp.log10(abs(mpf(x)))) + 1
    return nstr(v, digits, min_fixed=1, max_fixed=0)


def main():
    rng = random.Random(20261204)
    points = POINTS + [rng.uniform(-40, 40) for _ in range(12)]
    entries = []
    for name, (params, forward, derivative) in FUNCTIONS.items():
        for x in points:
            for kind, f in (("y", forward), ("dx", derivative)):
                with mp.workprec(3000 if x != 0 and abs(x) < 1e-280 else 300):
                    v = exact_at(f, x, params)
                    entries.append([name, kind, x, 1, decimal(v, x, kind)])
                    # A derivative far below the smallest double, times a
                    # large dy, must keep its digits.
                    if kind == "dx" and v != 0 and abs(v) < mpf(1e-250):
                        entries.append([name, kind, x, 1e300,
                                        decimal(v * mpf(1e300), x, kind)])
    with open("tests/data/reference_values.json", "w") as out:
        out.write("[\n")
        out.write(",\n".join(json.dumps(e) for e in entries))
        out.write("\n]\n")


if __name__ == "__main__":
    main()
