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
import io
import math
import operator
import random
import sys
import tokenize

from minigrad.scalar import Value

__all__ = ["parse_expression", "parse_values", "ExpressionError", "FUNCTIONS", "MAX_LENGTH", "MAX_OPERATIONS",
           "MAX_NESTING"]

FUNCTIONS = ("relu", "tanh", "sigmoid", "exp", "log")
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}


#: Longest expression accepted, in characters.
MAX_LENGTH = 10_000
#: Most operators and function calls in one expression (a sum of 2,000 terms fits).
MAX_OPERATIONS = 2_000
#: Deepest nesting of parentheses and unary signs (Python's own parser stops at 200 parentheses).
MAX_NESTING = 100


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
        if name in values:
            raise ExpressionError(f"--values: {name} is given twice; give each variable one value")
        try:
            values[name] = float(number)
        except ValueError:
            raise ExpressionError(f"--values: {name} must be a number, got {number.strip()!r}") from None
        if not math.isfinite(values[name]):
            raise ExpressionError(f"--values: {name} must be a finite number, got {number.strip()!r}")
    return values


def parse_expression(text, values=None, rng=None, name_nodes=False):
    """Build the ``Value`` graph of ``text``; returns ``(root, {name: Value})``.

    With ``name_nodes``, every node an operator or call creates is labelled with
    the text it came from ("a*b", "tanh(a*b + c)"); a long text is shortened to
    its operator and short operands ("… + a"), so a drawing names every box.

    Variables missing from ``values`` get random values in [-2, 2) from ``rng``
    (a :class:`random.Random`); each variable is one ``Value`` node however often
    it appears, so reused variables show as shared nodes in the graph.

    The input is bounded before it is parsed -- at most :data:`MAX_LENGTH`
    characters, :data:`MAX_OPERATIONS` operators and calls, and
    :data:`MAX_NESTING` levels of parentheses and signs -- and the syntax tree is
    converted with an explicit stack, so a long sum never exhausts Python's
    recursion limit. Every number, literal or intermediate, must be a finite
    float64: an overflow is named as such.
    """
    values = dict(values or {})
    rng = rng or random.Random()
    text = text.strip()
    _check_size(text)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        column = f" at column {exc.offset}" if exc.offset else ""
        raise ExpressionError(f"malformed expression {_shown(text)}{column}: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # e.g. an integer literal past the digit limit
        raise ExpressionError(f"cannot parse {_shown(text)}: {exc or type(exc).__name__}") from None
    variables = {}

    def leaf(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return _literal(node.value)
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id} is a function: call it, e.g. {node.id}(x)")
            if node.id not in variables:
                value = values.pop(node.id) if node.id in values else round(rng.uniform(-2, 2), 4)
                variables[node.id] = Value(value, label=node.id)
            return variables[node.id]
        return None

    def children(node):
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return [node.operand]
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in FUNCTIONS:
                shown = name or ast.unparse(node.func)
                raise ExpressionError(f"unknown function {shown!r}: use one of {', '.join(FUNCTIONS)}")
            if len(node.args) != 1 or node.keywords:
                raise ExpressionError(f"{name}() takes exactly one argument")
            return [node.args[0]]
        raise ExpressionError(
            f"unsupported element {_shown(_source(text, node))} in {_shown(text)}: use numbers, names, "
            f"+ - * / **, unary minus and {', '.join(FUNCTIONS)}"
        )

    def combine(node, args):
        if isinstance(node, ast.BinOp):
            left, right = args
            if not isinstance(left, Value) and not isinstance(right, Value):
                left = Value(left, label=_number_label(left))
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            return args[0] if isinstance(node.op, ast.UAdd) else -args[0]
        arg = args[0] if isinstance(args[0], Value) else Value(args[0], label=_number_label(args[0]))
        return getattr(arg, node.func.id)()

    # Post-order walk with an explicit stack: (node, expanded?) pairs, results on a second stack.
    stack, results = [(tree.body, False)], []
    try:
        while stack:
            node, expanded = stack.pop()
            if not expanded:
                built = leaf(node)
                if built is not None:
                    results.append(built)
                    continue
                kids = children(node)
                stack.append((node, True))
                stack.extend((kid, False) for kid in reversed(kids))
                continue
            count = 1 if not isinstance(node, ast.BinOp) else 2
            args = results[-count:]
            del results[-count:]
            try:
                result = combine(node, args)
            except OverflowError:
                result = math.inf
            data = result.data if isinstance(result, Value) else result
            if not math.isfinite(data):
                raise ExpressionError(
                    f"{_shown(_source(text, node))} overflows: its value or derivative is beyond float64's range "
                    f"(about ±{sys.float_info.max:.3g})"
                )
            if name_nodes and isinstance(result, Value) and not result.label and result not in args:
                result.label = _node_name(text, node, args)
            results.append(result)
    except (ZeroDivisionError, ValueError) as exc:
        if isinstance(exc, ExpressionError):
            raise
        raise ExpressionError(f"cannot evaluate {_shown(text)}: {exc}") from None
    root = results.pop()
    if not isinstance(root, Value):
        root = Value(root, label=_number_label(root))
    if values:
        raise ExpressionError(f"--values names variables the expression does not use: {', '.join(values)}")
    return root, variables


def _check_size(text):
    """Refuse an expression too long or too deeply nested before Python's parser sees it."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text):,} characters long; the limit is {MAX_LENGTH:,}"
        )
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return  # malformed: ast.parse names the problem (its input is already bounded in length)
    depth = deepest = operations = 0
    signs = 0  # unary signs in a row: each is one more level of nesting
    previous = None
    for token in tokens:
        if token.type != tokenize.OP:
            if token.type in (tokenize.NAME, tokenize.NUMBER):
                signs = 0
                previous = token
            continue
        if token.string == "(":
            depth += 1
            if previous is not None and previous.type == tokenize.NAME:
                operations += 1  # a call
        elif token.string == ")":
            depth -= 1
            signs = 0
        elif token.string in "+-~" and (previous is None or (previous.type == tokenize.OP and previous.string != ")")):
            signs += 1
            operations += 1
        else:
            operations += 1
        previous = token
        deepest = max(deepest, depth + signs)
        if deepest > MAX_NESTING:
            raise ExpressionError(
                f"the expression nests more than {MAX_NESTING} levels of parentheses and signs; simplify it"
            )
    if operations > MAX_OPERATIONS:
        raise ExpressionError(
            f"the expression has {operations:,} operations; the limit is {MAX_OPERATIONS:,}"
        )


def _literal(value):
    """A number literal as a finite float (a 400-digit integer or ``1e999`` is refused, not rounded to inf)."""
    if isinstance(value, int) and abs(value) > sys.float_info.max:
        raise ExpressionError(
            f"the number literal with {len(str(abs(value))):,} digits is beyond float64's range "
            f"(about ±{sys.float_info.max:.3g})"
        )
    value = float(value)
    if not math.isfinite(value):
        raise ExpressionError(f"a number literal is beyond float64's range (about ±{sys.float_info.max:.3g})")
    return value


def _source(text, node):
    """The source text of ``node`` (``ast.unparse`` would recurse as deep as the tree)."""
    return ast.get_source_segment(text, node) or type(node).__name__


def _shown(text, limit=80):
    """``repr`` of (the start of) ``text``, short enough for a one-line message."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text):,} characters)"


#: Longest expression text used as a node's name; longer ones are abbreviated.
NAME_LENGTH = 16
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


def _node_name(text, node, args):
    """The source text of ``node``, or "l op r" with long operands shown as "…"."""
    own = " ".join(_segment(text, node).split())
    if len(own) <= NAME_LENGTH:
        return own

    def short(arg):
        name = arg.label if isinstance(arg, Value) else _number_label(arg)
        return name if len(name) <= NAME_LENGTH // 2 and "…" not in name else "…"

    if isinstance(node, ast.BinOp):
        return f"{short(args[0])} {_SYMBOLS[type(node.op)]} {short(args[1])}"
    if isinstance(node, ast.UnaryOp):
        return f"-{short(args[0])}"
    return f"{node.func.id}({short(args[0])})"


def _segment(text, node):
    """Source text of ``node``: a slice of the line for one-line text (offsets are in UTF-8 bytes)."""
    if node.lineno == node.end_lineno == 1:
        return text.encode("utf-8")[node.col_offset:node.end_col_offset].decode("utf-8", "replace")
    return _source(text, node)


def _number_label(x):
    return f"{x:g}"
