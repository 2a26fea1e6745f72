"""The restricted expression language of process definitions.

Conditions on sequence flows, multi-instance completion conditions and the ``organization``
property of user tasks are expressions over the case data. A definition is uploaded by people, so
its expressions must not reach Python: they are parsed with ``ast`` and only a small set of node
kinds is allowed; they are then evaluated by walking that tree here, never by ``eval``.

Allowed: literals (numbers, strings, ``True``/``False``/``None``, lists, tuples, sets, dicts);
names of case data (not starting with ``_``); ``and``/``or``/``not``; comparisons (``==``, ``!=``,
``<``, ``<=``, ``>``, ``>=``, ``in``, ``not in``, ``is None``, ``is not None``); ``+ - * / // %`` and
unary ``-``/``+``; subscripts (``data["key"]``, ``items[0]``, slices); ``a if c else b``; and calls of
``len``, ``min``, ``max``, ``abs``, ``sorted`` with positional arguments.

Refused: attribute access (``x.y``), any name starting with ``_`` (dunders included), calls of
anything else, lambdas, comprehensions, ``**``, assignment expressions, f-strings, starred
arguments, and expressions longer than ``MAX_LENGTH`` characters. Repetition (``"a" * n``) and
results longer than ``MAX_ITEMS`` are refused at evaluation, so that an expression cannot exhaust
memory.
"""

import ast
import operator
from collections.abc import Mapping
from typing import Any

MAX_LENGTH = 1000
MAX_ITEMS = 10_000

_FUNCTIONS = {"len": len, "min": min, "max": max, "abs": abs, "sorted": sorted}

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_UNARY = {ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_ALLOWED = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.List, ast.Tuple, ast.Set, ast.Dict,
    ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.BinOp, ast.Compare, ast.Is, ast.IsNot,
    ast.Subscript, ast.Slice, ast.IfExp, ast.Call,
    *_BINARY, *_UNARY, *_COMPARE,
)


class ExpressionRefused(Exception):
    """An expression uses something outside the language (raised at upload and at evaluation).

    ``expression`` is the source text, ``reason`` says what was refused (English, for the message).
    """

    def __init__(self, expression: str, reason: str):
        super().__init__(f"{reason}: {expression}")
        self.expression = expression
        self.reason = reason


class ExpressionFailed(Exception):
    """A valid expression could not be evaluated on this data (unknown name, wrong types…)."""

    def __init__(self, expression: str, reason: str):
        super().__init__(f"{reason}: {expression}")
        self.expression = expression
        self.reason = reason


def expression_check(source: str) -> ast.Expression:
    """Parse ``source`` and check that it uses only the allowed language; return the tree.

    Raises:
        ExpressionRefused: syntax error, too long, or a refused construct (the reason names it).
    """
    if not isinstance(source, str) or not source.strip():
        raise ExpressionRefused(str(source), "empty expression")
    if len(source) > MAX_LENGTH:
        raise ExpressionRefused(source[:80] + "…", f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionRefused(source, f"syntax error ({exc.msg})") from None
    nodes = list(ast.walk(tree))
    # The most telling refusal first: a dunder or private name, then attribute walking, then the rest.
    for node in nodes:
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ExpressionRefused(source, f"the name {node.id} is not allowed (names must not start with _)")
    for node in nodes:
        if isinstance(node, ast.Attribute):
            raise ExpressionRefused(source, f"attribute access .{node.attr} is not allowed")
    for node in nodes:
        if not isinstance(node, _ALLOWED):
            raise ExpressionRefused(source, f"{type(node).__name__} is not allowed")
        if isinstance(node, ast.Name) and node.id in _FUNCTIONS and not _is_call_target(tree, node):
            raise ExpressionRefused(source, f"the function {node.id} can only be called")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
                raise ExpressionRefused(source, "only len, min, max, abs and sorted can be called")
            if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
                raise ExpressionRefused(source, "calls take positional arguments only")
        if isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.Is | ast.IsNot) and not (isinstance(right, ast.Constant) and right.value is None):
                    raise ExpressionRefused(source, "'is' compares with None only")
        if isinstance(node, ast.Constant) and not isinstance(node.value, str | int | float | bool | type(None)):
            raise ExpressionRefused(source, f"the literal {node.value!r} is not allowed")
    return tree


def _is_call_target(tree: ast.AST, name: ast.Name) -> bool:
    return any(isinstance(node, ast.Call) and node.func is name for node in ast.walk(tree))


def expression_evaluate(source: str, data: Mapping[str, Any]) -> Any:
    """Evaluate ``source`` over ``data`` (the case data: names map to its keys).

    Returns:
        The value: JSON-like Python data (str, int, float, bool, None, list, dict…).

    Raises:
        ExpressionRefused: as ``expression_check``, or a repetition / a result too large.
        ExpressionFailed: an unknown name, a missing key, or operands of the wrong type.
    """
    tree = expression_check(source)
    try:
        return _Evaluator(source, data).visit(tree.body)
    except (ExpressionRefused, ExpressionFailed):
        raise
    except NameError as exc:
        raise ExpressionFailed(source, str(exc)) from None
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError) as exc:
        raise ExpressionFailed(source, f"{type(exc).__name__}: {exc}") from None


class _Evaluator:
    def __init__(self, source: str, data: Mapping[str, Any]):
        self.source = source
        self.data = data

    def visit(self, node: ast.AST) -> Any:
        return getattr(self, f"visit_{type(node).__name__}")(node)

    def _bounded(self, value: Any) -> Any:
        if isinstance(value, str | list | tuple | set | dict) and len(value) > MAX_ITEMS:
            raise ExpressionRefused(self.source, f"a result longer than {MAX_ITEMS} items")
        return value

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id not in self.data:
            raise ExpressionFailed(self.source, f"no case data named {node.id}")
        return self.data[node.id]

    def visit_List(self, node: ast.List) -> list:
        return [self.visit(item) for item in node.elts]

    def visit_Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.visit(item) for item in node.elts)

    def visit_Set(self, node: ast.Set) -> set:
        return {self.visit(item) for item in node.elts}

    def visit_Dict(self, node: ast.Dict) -> dict:
        if any(key is None for key in node.keys):
            raise ExpressionRefused(self.source, "** in a dict literal is not allowed")
        return {self.visit(key): self.visit(value) for key, value in zip(node.keys, node.values, strict=True)}

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        value = None
        for operand in node.values:
            value = self.visit(operand)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        return _UNARY[type(node.op)](self.visit(node.operand))

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Mult) and (not isinstance(left, int | float) or not isinstance(right, int | float)):
            raise ExpressionRefused(self.source, "* multiplies numbers only (no repetition)")
        return self._bounded(_BINARY[type(node.op)](left, right))

    def visit_Compare(self, node: ast.Compare) -> bool:
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.visit(comparator)
            if isinstance(op, ast.Is):
                ok = left is None
            elif isinstance(op, ast.IsNot):
                ok = left is not None
            else:
                ok = _COMPARE[type(op)](left, right)
            if not ok:
                return False
            left = right
        return True

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        container = self.visit(node.value)
        if not isinstance(container, str | list | tuple | dict):
            raise ExpressionFailed(self.source, f"cannot subscript a {type(container).__name__}")
        return container[self.visit(node.slice)]

    def visit_Slice(self, node: ast.Slice) -> slice:
        parts = [None if part is None else self.visit(part) for part in (node.lower, node.upper, node.step)]
        if any(part is not None and not isinstance(part, int) for part in parts):
            raise ExpressionFailed(self.source, "slice bounds must be integers")
        return slice(*parts)

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def visit_Call(self, node: ast.Call) -> Any:
        args = [self.visit(arg) for arg in node.args]
        return self._bounded(_FUNCTIONS[node.func.id](*args))
