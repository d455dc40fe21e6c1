"""The one rule set for code in diagrams: what a script, condition or timer expression may contain.

``portal bpmn lint`` and the engine both compile through :func:`compile_script` and
:func:`compile_expression`, so a diagram that lints clean runs, and code that does not lint (from
older data) is refused by the engine with the same message.

The rules are an allow list. What the shipped diagrams need — assignments, ``if``/``else``, ``for``
over data, comprehensions, comparisons, arithmetic, subscripts, calls of the helpers and of a few
builtins, a few data methods, f-strings — is allowed; everything else is refused: imports, ``class``,
``def`` and ``lambda`` (put reusable logic in a reviewed Python helper), ``while`` (an unbounded loop;
loop over data with ``for``), ``try``/``raise``/``with``/``global``/``del``, names and attributes
starting with ``_``, builtins outside :data:`ALLOWED_BUILTINS` (``getattr``, ``type``, ``open``,
``eval``, ``globals`` …) and attributes outside :data:`ALLOWED_ATTRIBUTES`. On top, RestrictedPython
compiles the code so that attribute, item and iteration access go through guards, and the size guards
of :mod:`portal.engine.limits` are wired into ``+ * ** %`` and f-strings.
"""

from __future__ import annotations

import ast
import builtins
import re
from functools import lru_cache

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec

#: The file names sandboxed code is compiled under (they show in tracebacks).
SCRIPT_FILE, EXPRESSION_FILE = "<script>", "<condition>"


class ScriptError(Exception):
    """A script or condition in a diagram is not allowed, does not compile or broke a sandbox rule.

    ``problems`` are ``(line, message)`` pairs, lines counted from the script's first line.
    """

    def __init__(self, message: str, problems: list[tuple[int, str]] | None = None, syntax: bool = False):
        super().__init__(message)
        self.problems = problems or [(1, message)]
        self.syntax = syntax


#: Builtins a script may use (besides the date helpers); the engine offers exactly these.
ALLOWED_BUILTINS = frozenset({
    "abs", "all", "any", "bool", "chr", "dict", "divmod", "enumerate", "filter", "float", "frozenset", "int",
    "len", "list", "map", "max", "min", "ord", "pow", "range", "repr", "reversed", "round", "set", "sorted",
    "str", "sum", "tuple", "zip",
})
#: Every other builtin (``getattr``, ``type``, ``open``, ``eval``, ``globals``, ``print`` …) is refused.
DENIED_NAMES = frozenset(name for name in dir(builtins) if name not in ALLOWED_BUILTINS) - {"True", "False", "None"}

#: Methods of strings, lists and dicts a script may call; every other attribute is refused.
ALLOWED_ATTRIBUTES = frozenset({
    # dict
    "get", "keys", "values", "items", "update", "setdefault", "copy",
    # list
    "append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse",
    # str
    "strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "casefold", "startswith", "endswith",
    "split", "rsplit", "join", "replace", "find", "rfind", "isdigit", "isalpha", "isalnum", "isdecimal",
    "isnumeric", "isspace", "islower", "isupper",
})

_ALLOWED_NODES = (
    ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.AugAssign, ast.If, ast.For, ast.Pass, ast.Break,
    ast.Continue, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.IfExp, ast.Compare, ast.Call, ast.keyword,
    ast.Constant, ast.JoinedStr, ast.FormattedValue, ast.Attribute, ast.Subscript, ast.Slice, ast.Name,
    ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
    ast.comprehension, ast.Load, ast.Store,
    ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.BitAnd, ast.BitOr,
    ast.Not, ast.USub, ast.UAdd,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
)
_HINTS = {
    ast.Import: "imports are not allowed; the date helpers are available without import",
    ast.ImportFrom: "imports are not allowed; the date helpers are available without import",
    ast.ClassDef: "classes are not allowed; domain logic belongs in a Python helper",
    ast.FunctionDef: "function definitions are not allowed; domain logic belongs in a Python helper",
    ast.AsyncFunctionDef: "function definitions are not allowed; domain logic belongs in a Python helper",
    ast.Lambda: "lambda is not allowed; domain logic belongs in a Python helper",
    ast.While: "while loops are not allowed (they can run forever); loop over data with for",
    ast.Starred: "*args and unpacking with * are not allowed",
}
#: Binary operators whose result can be much larger than their operands: they go through ``_binop_``.
GUARDED_OPERATORS = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.Mod: "%"}
_SAFE_FORMAT_SPEC = re.compile(r"^.?[<>=^]?[+\- ]?#?0?\d{0,3}[,_]?(\.\d{1,2})?[a-zA-Z%]?$")


def check(tree: ast.AST) -> list[tuple[int, str]]:
    """The rule violations in ``tree`` as ``(line, message)``, in source order."""
    problems: list[tuple[int, str]] = []

    def add(node: ast.AST, message: str) -> None:
        problems.append((getattr(node, "lineno", 1), message))

    def visit(node: ast.AST) -> None:
        if not isinstance(node, _ALLOWED_NODES):
            add(node, _HINTS.get(type(node)) or f"{type(node).__name__} is not allowed in scripts")
            return  # one message for a refused construct, none for its parts
        if isinstance(node, ast.Name) and node.id in DENIED_NAMES:
            add(node, f"{node.id!r} is not available in scripts; use the data, the date helpers or a builtin "
                      "listed in docs/process-design.md (len, min, max, sorted …)")
        elif isinstance(node, ast.Name | ast.Attribute) and _name(node).startswith("_"):
            add(node, f"names starting with '_' (such as {_name(node)!r}) are not allowed")
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            add(node, "attributes cannot be assigned; data is dicts: write x['name'] = value")
        elif isinstance(node, ast.Attribute) and node.attr not in ALLOWED_ATTRIBUTES:
            add(node, f"attribute {node.attr!r} is not allowed; data methods such as get, items, append, split "
                      "and join are (see docs/process-design.md)")
        elif isinstance(node, ast.keyword) and node.arg is None:
            add(node, "**kwargs is not allowed")
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None and not _safe_spec(node):
            add(node, "an f-string format must be short and literal, e.g. {bedrag:.2f}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return sorted(set(problems))


def _name(node: ast.Name | ast.Attribute) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr


def _safe_spec(node: ast.FormattedValue) -> bool:
    spec = node.format_spec
    return (isinstance(spec, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in spec.values)
            and bool(_SAFE_FORMAT_SPEC.match("".join(str(v.value) for v in spec.values))))


class _Guarding(RestrictingNodeTransformer):
    """RestrictedPython's transformer, plus size guards on operators that can allocate a lot."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = GUARDED_OPERATORS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(func=ast.Name("_binop_", ast.Load()), args=[ast.Constant(symbol), node.left, node.right],
                        keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = self.node_contents_visit(node)
        node.value = ast.fix_missing_locations(ast.copy_location(
            ast.Call(func=ast.Name("_format_", ast.Load()), args=[node.value], keywords=[]), node.value))
        return node


def _compile(source: str, mode: str):
    filename = SCRIPT_FILE if mode == "exec" else EXPRESSION_FILE
    try:
        tree = ast.parse(source, filename, mode)
    except SyntaxError as exc:
        raise ScriptError(f"syntax error on line {exc.lineno}: {exc.msg}", [(exc.lineno or 1, exc.msg)],
                          syntax=True) from exc
    problems = check(tree)
    if problems:
        raise ScriptError("; ".join(f"line {line}: {message}" for line, message in problems), problems)
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(tree, filename, policy=_Guarding)
    if result.errors:
        raise ScriptError("; ".join(result.errors), [(_line_of(e), e) for e in result.errors])
    return result.code


def _line_of(error: str) -> int:
    match = re.match(r"Line (\d+)", error)
    return int(match.group(1)) if match else 1


@lru_cache(maxsize=1024)
def compile_expression(expression: str):
    """Compile a condition, timer expression, cardinality or payload (raises :class:`ScriptError`)."""
    return _compile(expression.strip(), "eval")


@lru_cache(maxsize=1024)
def compile_script(script: str):
    """Compile a script task's script, a preScript or a postScript (raises :class:`ScriptError`)."""
    return _compile(script, "exec")
