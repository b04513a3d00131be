"""Parse a scalar expression such as ``"tanh(a*b + c) ** 2"`` into a ``Value`` graph.

Used by ``minigrad graph EXPR``. The text is parsed with Python's :mod:`ast` and
only a whitelist of node types is accepted -- numbers, variable names, ``+ - * /
**``, unary minus and calls of ``relu tanh sigmoid exp log`` -- so nothing in the
expression is ever executed (there is no ``eval``).

Example::

    >>> root, variables = parse_expression("a*b + tanh(c)", {"a": 2.0, "b": -3.0, "c": 0.5})
    >>> root.backward()
    >>> variables["a"].grad     # d/da = b
    -3.0
"""

from __future__ import annotations

import ast
import operator
import random

from minigrad.scalar import Value

__all__ = ["parse_expression", "parse_values", "ExpressionError", "FUNCTIONS"]

FUNCTIONS = ("relu", "tanh", "sigmoid", "exp", "log")
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}


class ExpressionError(ValueError):
    """The expression is not one minigrad can build (the message says why and where)."""


def parse_values(text):
    """``"a=2,b=-3.5"`` → ``{"a": 2.0, "b": -3.5}``."""
    values = {}
    if not text:
        return values
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, number = part.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ExpressionError(f"--values: expected name=number pairs such as a=2,b=-3; got {part.strip()!r}")
        try:
            values[name] = float(number)
        except ValueError:
            raise ExpressionError(f"--values: {name} must be a number, got {number.strip()!r}") from None
    return values


def parse_expression(text, values=None, rng=None):
    """Build the ``Value`` graph of ``text``; returns ``(root, {name: Value})``.

    Variables missing from ``values`` get random values in [-2, 2) from ``rng``
    (a :class:`random.Random`); each variable is one ``Value`` node however often
    it appears, so reused variables show as shared nodes in the graph.
    """
    values = dict(values or {})
    rng = rng or random.Random()
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        column = f" at column {exc.offset}" if exc.offset else ""
        raise ExpressionError(f"malformed expression {text!r}{column}: {exc.msg}") from None
    variables = {}

    def build(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id} is a function: call it, e.g. {node.id}(x)")
            if node.id not in variables:
                value = values.pop(node.id) if node.id in values else round(rng.uniform(-2, 2), 4)
                variables[node.id] = Value(value, label=node.id)
            return variables[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = build(node.left), build(node.right)
            if not isinstance(left, Value) and not isinstance(right, Value):
                left = Value(left, label=_number_label(left))
            result = _BINARY[type(node.op)](left, right)
            return result
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return -operand
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in FUNCTIONS:
                shown = name or ast.unparse(node.func)
                raise ExpressionError(f"unknown function {shown!r}: use one of {', '.join(FUNCTIONS)}")
            if len(node.args) != 1 or node.keywords:
                raise ExpressionError(f"{name}() takes exactly one argument")
            arg = build(node.args[0])
            arg = arg if isinstance(arg, Value) else Value(arg, label=_number_label(arg))
            return getattr(arg, name)()
        shown = ast.unparse(node) if hasattr(ast, "unparse") else type(node).__name__
        raise ExpressionError(
            f"unsupported element {shown!r} in {text!r}: use numbers, names, + - * / **, unary minus "
            f"and {', '.join(FUNCTIONS)}"
        )

    try:
        root = build(tree.body)
    except (ZeroDivisionError, ValueError) as exc:
        if isinstance(exc, ExpressionError):
            raise
        raise ExpressionError(f"cannot evaluate {text!r}: {exc}") from None
    if not isinstance(root, Value):
        root = Value(root, label=_number_label(root))
    if values:
        raise ExpressionError(f"--values names variables the expression does not use: {', '.join(values)}")
    return root, variables


def _number_label(x):
    return f"{x:g}"
