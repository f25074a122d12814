"""The rule language of form definitions: eligibility and cross-field rules, checked on submit.

A rule is ``{"field": …, "check": "<expression>", "message": "…", "when": "<expression>"}``: when the
optional ``when`` holds, ``check`` must hold, else ``message`` is shown at ``field``. Expressions are
parsed into a small AST by the recursive-descent parser below and evaluated by :func:`evaluate` —
never by Python's ``eval`` — and type-checked against the definition's fields when the definition is
loaded (:func:`type_check`), so a rule that cannot be parsed, names a missing field or compares a date
with a number is a definition error with its place. See docs/forms.md, "Rules".

Limits keep hostile input cheap: an expression has at most :data:`MAX_EXPRESSION_LENGTH` characters,
:data:`MAX_TOKENS` tokens and :data:`MAX_DEPTH` levels of nesting; number literals have at most 15
digits; arithmetic runs in a bounded decimal context, and a result out of range fails the rule.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_EXPRESSION_LENGTH = 500
MAX_TOKENS = 200
MAX_DEPTH = 20
MAX_LITERAL_DIGITS = 15
# Results beyond ±10^18 are nonsense for a form (areas, amounts, ages) and fail the rule.
_CONTEXT = decimal.Context(prec=28, Emax=18, Emin=-18,
                           traps=[decimal.Overflow, decimal.DivisionByZero, decimal.InvalidOperation])
_LIMIT = Decimal(10) ** 18


class RuleSyntaxError(ValueError):
    """An expression that cannot be parsed or does not fit the definition; ``position`` is 1-based."""

    def __init__(self, message: str, position: int | None = None) -> None:
        self.message = message
        self.position = position
        super().__init__(self.located)

    @property
    def located(self) -> str:
        return f"第{self.position}个字符处：{self.message}" if self.position else self.message


class RuleEvaluationError(Exception):
    """A value the rule cannot compute (division by zero, a result out of range)."""


class _Missing(Exception):
    pass


# ---------------------------------------------------------------------------------------------------
# Tokens

_TOKEN_RE = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'[^'\\\n]*'|"[^"\\\n]*"|“[^”\n]*”|‘[^’\n]*’)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>+\-*/(),.\[\]!])
""", re.VERBOSE)
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, name, op, keyword, end
    text: str
    pos: int  # 1-based


def _tokenize(text: str) -> list[_Token]:
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise RuleSyntaxError(f"表达式不能超过{MAX_EXPRESSION_LENGTH}个字符")
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        m = _TOKEN_RE.match(text, i)
        if m is None:
            raise RuleSyntaxError(f"无法识别的字符「{text[i]}」", i + 1)
        kind = m.lastgroup or ""
        if kind != "space":
            word = m.group()
            if kind == "name" and word in KEYWORDS:
                kind = "keyword"
            # The usual spellings of the logical operators.
            word = {"&&": "and", "||": "or", "!": "not"}.get(word, word)
            if word in ("and", "or", "not"):
                kind = "keyword"
            tokens.append(_Token(kind, word, i + 1))
            if len(tokens) > MAX_TOKENS:
                raise RuleSyntaxError(f"表达式过长（超过{MAX_TOKENS}个记号）", i + 1)
        i = m.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


# ---------------------------------------------------------------------------------------------------
# The AST


@dataclass(frozen=True)
class Literal:
    value: Decimal | str | bool | None
    pos: int


@dataclass(frozen=True)
class FieldRef:
    name: str
    part: str | None
    pos: int


@dataclass(frozen=True)
class ListLiteral:
    items: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: Node
    pos: int


@dataclass(frozen=True)
class Binary:
    op: str  # and or == != < <= > >= in + - * /
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]
    pos: int


Node = Literal | FieldRef | ListLiteral | Unary | Binary | Call

_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


class _Parser:
    """expr := or; or := and ("or" and)*; and := not ("and" not)*; not := "not" not | cmp;
    cmp := sum [(== != < <= > >= in | not in) sum]; sum := term (("+"|"-") term)*;
    term := unary (("*"|"/") unary)*; unary := "-" unary | primary;
    primary := number | string | true | false | null | name ["." name] | name "(" [expr ("," expr)*] ")"
             | "(" expr ")" | "[" [expr ("," expr)*] "]"
    """

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def _next(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _is(self, *texts: str) -> bool:
        return self.tok.kind in ("op", "keyword") and self.tok.text in texts

    def _expect(self, text: str) -> None:
        if not self._is(text):
            raise RuleSyntaxError(f"此处应为「{text}」" if self.tok.kind != "end" else f"表达式不完整，缺少「{text}」",
                                  self.tok.pos)
        self._next()

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleSyntaxError(f"表达式嵌套过深（超过{MAX_DEPTH}层）", self.tok.pos)

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise RuleSyntaxError("表达式为空")
        node = self._or()
        if self.tok.kind != "end":
            raise RuleSyntaxError(f"多余的内容「{self.tok.text}」", self.tok.pos)
        return node

    def _or(self) -> Node:
        self._enter()
        node = self._and()
        while self._is("or"):
            pos = self._next().pos
            node = Binary("or", node, self._and(), pos)
        self.depth -= 1
        return node

    def _and(self) -> Node:
        node = self._not()
        while self._is("and"):
            pos = self._next().pos
            node = Binary("and", node, self._not(), pos)
        return node

    def _not(self) -> Node:
        if self._is("not"):
            pos = self._next().pos
            self._enter()
            node = Unary("not", self._not(), pos)
            self.depth -= 1
            return node
        return self._comparison()

    def _comparison(self) -> Node:
        left = self._sum()
        if self._is(*_COMPARISONS, "in"):
            tok = self._next()
            return Binary(tok.text, left, self._sum(), tok.pos)
        if self._is("not") and self.tokens[self.i + 1].text == "in":
            pos = self._next().pos
            self._next()
            return Unary("not", Binary("in", left, self._sum(), pos), pos)
        return left

    def _sum(self) -> Node:
        node = self._term()
        while self._is("+", "-"):
            tok = self._next()
            node = Binary(tok.text, node, self._term(), tok.pos)
        return node

    def _term(self) -> Node:
        node = self._unary()
        while self._is("*", "/"):
            tok = self._next()
            node = Binary(tok.text, node, self._unary(), tok.pos)
        return node

    def _unary(self) -> Node:
        if self._is("-"):
            pos = self._next().pos
            self._enter()
            node = Unary("-", self._unary(), pos)
            self.depth -= 1
            return node
        return self._primary()

    def _primary(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self._next()
            digits = tok.text.replace(".", "")
            if len(digits.lstrip("0")) > MAX_LITERAL_DIGITS:
                raise RuleSyntaxError(f"数字过大（最多{MAX_LITERAL_DIGITS}位）", tok.pos)
            return Literal(Decimal(tok.text), tok.pos)
        if tok.kind == "string":
            self._next()
            return Literal(tok.text[1:-1], tok.pos)
        if tok.kind == "keyword" and tok.text in ("true", "false", "null"):
            self._next()
            return Literal({"true": True, "false": False, "null": None}[tok.text], tok.pos)
        if tok.kind == "name":
            self._next()
            if self._is("("):
                return self._call(tok)
            part = None
            if self._is("."):
                self._next()
                if self.tok.kind != "name":
                    raise RuleSyntaxError("「.」后应为字段的组成部分，如 start、end", self.tok.pos)
                part = self._next().text
            return FieldRef(tok.text, part, tok.pos)
        if self._is("("):
            self._next()
            self._enter()
            node = self._or()
            self.depth -= 1
            self._expect(")")
            return node
        if self._is("["):
            self._next()
            items = self._items("]")
            return ListLiteral(tuple(items), tok.pos)
        if tok.kind == "end":
            raise RuleSyntaxError("表达式不完整", tok.pos)
        raise RuleSyntaxError(f"此处不应出现「{tok.text}」", tok.pos)

    def _items(self, closing: str) -> list[Node]:
        items: list[Node] = []
        self._enter()
        if not self._is(closing):
            items.append(self._or())
            while self._is(","):
                self._next()
                items.append(self._or())
        self._expect(closing)
        self.depth -= 1
        return items

    def _call(self, name: _Token) -> Node:
        if name.text not in FUNCTIONS:
            raise RuleSyntaxError(f"未知函数「{name.text}」，可用的函数：{'、'.join(sorted(FUNCTIONS))}", name.pos)
        self._next()  # "("
        args = self._items(")")
        spec = FUNCTIONS[name.text]
        if not spec.min_args <= len(args) <= spec.max_args:
            expected = (str(spec.min_args) if spec.min_args == spec.max_args
                        else f"{spec.min_args}到{spec.max_args}")
            raise RuleSyntaxError(f"函数「{name.text}」需要{expected}个参数", name.pos)
        return Call(name.text, tuple(args), name.pos)


def parse_expression(text: str) -> Node:
    """Parse a rule expression. Raises RuleSyntaxError (message and 1-based position)."""
    if not isinstance(text, str):
        raise RuleSyntaxError("表达式应为文本")
    return _Parser(text).parse()


# ---------------------------------------------------------------------------------------------------
# Types, for checking a rule against the definition when it is loaded

NUMBER, DATE, TEXT, BOOLEAN, NULL, ANY = "number", "date", "text", "boolean", "null", "any"
TABLE, RANGE, ADDRESS = "table", "range", "address"
TYPE_WORDS = {NUMBER: "数字", DATE: "日期", TEXT: "文本", BOOLEAN: "是非", NULL: "空值", TABLE: "表格",
              RANGE: "日期区间", ADDRESS: "地址", ANY: "任意值"}


def list_of(elem: str) -> str:
    return f"list:{elem}"


def _elem(t: str) -> str | None:
    return t[5:] if t.startswith("list:") else None


def _word(t: str) -> str:
    elem = _elem(t)
    return f"{TYPE_WORDS.get(elem, elem)}列表" if elem is not None else TYPE_WORDS.get(t, t)


@dataclass(frozen=True)
class FieldType_:
    """What a rule may do with a field: its type, and the parts ``name.part`` may name."""

    type: str
    label: str
    parts: Mapping[str, str] | None = None  # for ranges, addresses and tables (table → column types)


Scope = Mapping[str, FieldType_]


@dataclass(frozen=True)
class _Function:
    min_args: int
    max_args: int
    check: Callable[[list[str], int], str]  # argument types, position → result type (raises RuleSyntaxError)
    run: Callable[..., Any]


def _require(types: list[str], index: int, wanted: tuple[str, ...], fname: str, pos: int) -> None:
    t = types[index]
    if t in (ANY, NULL) or t in wanted or (_elem(t) is not None and "list" in wanted):
        return
    names = "或".join(_word(w) if w != "list" else "列表" for w in wanted)
    raise RuleSyntaxError(f"函数「{fname}」的第{index + 1}个参数应为{names}，此处为{_word(t)}", pos)


def _age_on(id_number: Any, on: dt.date) -> Decimal:
    birth = _birthdate(id_number)
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return Decimal(years)


def _birthdate(id_number: Any) -> dt.date:
    text = str(id_number)
    try:
        return dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise RuleEvaluationError("身份证号码中的出生日期无效") from None


def _add_years(day: dt.date, years: Decimal) -> dt.date:
    try:
        target = day.year + int(years)
        # 29 February plus a year that has none is 28 February.
        return day.replace(year=target) if not (day.month == 2 and day.day == 29) \
            else dt.date(target, 2, 29 if _leap(target) else 28)
    except (ValueError, OverflowError):
        raise RuleEvaluationError("日期超出范围") from None


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _numbers(values: Sequence[Any]) -> list[Decimal]:
    return [v for v in (_flat(values)) if v is not None]


def _flat(values: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        out.extend(v if isinstance(v, list) else [v])
    return out


def _sum(values: Any) -> Decimal:
    return _bounded(sum(_numbers([values]), Decimal(0)))


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        values = [v for v in _flat(list(args)) if v is not None]
        if not values:
            raise _Missing
        return pick(values)
    return run


def _count(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    return Decimal(len(value))


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


def _check_extreme(types: list[str], pos: int) -> str:
    kinds = {(_elem(t) or t) for t in types} - {ANY, NULL}
    if len(kinds) > 1 or not kinds <= {NUMBER, DATE}:
        raise RuleSyntaxError("min、max 的参数应同为数字或同为日期", pos)
    return kinds.pop() if kinds else ANY


def _typed(result: str, *wanted: tuple[str, ...], name: str) -> Callable[[list[str], int], str]:
    def check(types: list[str], pos: int) -> str:
        for index, allowed in enumerate(wanted):
            if index < len(types):
                _require(types, index, allowed, name, pos)
        return result
    return check


FUNCTIONS: dict[str, _Function] = {
    "today": _Function(0, 0, _typed(DATE, name="today"), lambda env: env.today),
    "age": _Function(1, 2, _typed(NUMBER, (TEXT,), (DATE,), name="age"),
                     lambda env, ident, on=None: _age_on(ident, on or env.today)),
    "birthdate": _Function(1, 1, _typed(DATE, (TEXT,), name="birthdate"), lambda env, ident: _birthdate(ident)),
    "years_between": _Function(2, 2, _typed(NUMBER, (DATE,), (DATE,), name="years_between"),
                               lambda env, a, b: _years_between(a, b)),
    "days_between": _Function(2, 2, _typed(NUMBER, (DATE,), (DATE,), name="days_between"),
                              lambda env, a, b: Decimal((b - a).days)),
    "add_days": _Function(2, 2, _typed(DATE, (DATE,), (NUMBER,), name="add_days"),
                          lambda env, d, n: _add_days(d, n)),
    "add_years": _Function(2, 2, _typed(DATE, (DATE,), (NUMBER,), name="add_years"),
                           lambda env, d, n: _add_years(d, n)),
    "sum": _Function(1, 1, _typed(NUMBER, (list_of(NUMBER),), name="sum"), lambda env, values: _sum(values)),
    "count": _Function(1, 1, _typed(NUMBER, (TABLE, "list"), name="count"), lambda env, value: _count(value)),
    "min": _Function(1, 10, _check_extreme, lambda env, *args: _extreme(min)(*args)),
    "max": _Function(1, 10, _check_extreme, lambda env, *args: _extreme(max)(*args)),
    "abs": _Function(1, 1, _typed(NUMBER, (NUMBER,), name="abs"), lambda env, n: abs(n)),
    "length": _Function(1, 1, _typed(NUMBER, (TEXT,), name="length"), lambda env, s: Decimal(len(s))),
    "present": _Function(1, 1, _typed(BOOLEAN, name="present"), lambda env, v: _present(v)),
}
# Functions that receive empty values instead of making the rule not apply.
_TAKES_EMPTY = frozenset({"present", "count"})


def _years_between(a: dt.date, b: dt.date) -> Decimal:
    years = b.year - a.year - ((b.month, b.day) < (a.month, a.day))
    return Decimal(years)


def _add_days(day: dt.date, n: Decimal) -> dt.date:
    if n != n.to_integral_value():
        raise RuleEvaluationError("日期只能加减整数天")
    try:
        return day + dt.timedelta(days=int(n))
    except OverflowError:
        raise RuleEvaluationError("日期超出范围") from None


def type_check(node: Node, scope: Scope) -> str:
    """The type of ``node`` against the fields in ``scope``. Raises RuleSyntaxError at the first problem."""
    if isinstance(node, Literal):
        if node.value is None:
            return NULL
        if isinstance(node.value, bool):
            return BOOLEAN
        return NUMBER if isinstance(node.value, Decimal) else TEXT
    if isinstance(node, FieldRef):
        return _ref_type(node, scope)
    if isinstance(node, ListLiteral):
        kinds = {type_check(item, scope) for item in node.items} - {NULL}
        if len(kinds) > 1:
            raise RuleSyntaxError("列表中的值类型应一致", node.pos)
        return list_of(kinds.pop() if kinds else ANY)
    if isinstance(node, Unary):
        t = type_check(node.operand, scope)
        want = BOOLEAN if node.op == "not" else NUMBER
        if t not in (want, ANY, NULL):
            raise RuleSyntaxError(f"「{node.op}」只能用于{_word(want)}，此处为{_word(t)}", node.pos)
        return want
    if isinstance(node, Call):
        types = [type_check(a, scope) for a in node.args]
        return FUNCTIONS[node.name].check(types, node.pos)
    return _binary_type(node, scope)


def _ref_type(node: FieldRef, scope: Scope) -> str:
    field = scope.get(node.name)
    if field is None:
        raise RuleSyntaxError(f"引用了不存在的字段「{node.name}」", node.pos)
    if field.parts is None:
        if node.part is not None:
            raise RuleSyntaxError(f"字段「{node.name}」（{field.label}）没有组成部分「{node.part}」", node.pos)
        return field.type
    if node.part is None:
        if field.type == TABLE:
            return TABLE
        raise RuleSyntaxError(f"请写明「{node.name}」的组成部分：{'、'.join(f'{node.name}.{p}' for p in field.parts)}",
                              node.pos)
    if node.part not in field.parts:
        raise RuleSyntaxError(f"「{node.name}」没有组成部分「{node.part}」，可用：{'、'.join(field.parts)}", node.pos)
    part = field.parts[node.part]
    return list_of(part) if field.type == TABLE else part


def _binary_type(node: Binary, scope: Scope) -> str:
    left, right = type_check(node.left, scope), type_check(node.right, scope)
    op = node.op
    if op in ("and", "or"):
        for t in (left, right):
            if t not in (BOOLEAN, ANY, NULL):
                raise RuleSyntaxError(f"「{op}」两侧应为条件（是非），此处为{_word(t)}", node.pos)
        return BOOLEAN
    if op == "in":
        elem = _elem(right)
        if elem is None and right not in (ANY, TEXT):
            raise RuleSyntaxError(f"「in」右侧应为列表，此处为{_word(right)}", node.pos)
        if elem is not None and left not in (ANY, NULL) and elem != ANY and (_elem(left) or left) != elem:
            raise RuleSyntaxError(f"「in」左侧为{_word(left)}，右侧为{_word(right)}", node.pos)
        return BOOLEAN
    if op in _COMPARISONS:
        if ANY in (left, right) or NULL in (left, right):
            return BOOLEAN
        if left != right:
            raise RuleSyntaxError(f"不能比较{_word(left)}与{_word(right)}", node.pos)
        if op not in ("==", "!=") and left not in (NUMBER, DATE, TEXT):
            raise RuleSyntaxError(f"{_word(left)}只能用 == 或 != 比较", node.pos)
        return BOOLEAN
    # Arithmetic: numbers; a date plus or minus days; the days between two dates.
    if op in ("+", "-") and left == DATE and right in (NUMBER, ANY):
        return DATE
    if op == "+" and left in (NUMBER, ANY) and right == DATE:
        return DATE
    if op == "-" and left == DATE and right == DATE:
        return NUMBER
    for t in (left, right):
        if t not in (NUMBER, ANY, NULL):
            raise RuleSyntaxError(f"「{op}」只能用于数字（日期可加减天数），此处为{_word(t)}", node.pos)
    return NUMBER


def check_rule_expression(text: Any, scope: Scope, *, boolean: bool = True) -> Node:
    """Parse and type-check an expression; a rule's ``check`` and ``when`` must be conditions.

    Raises RuleSyntaxError.
    """
    node = parse_expression(text)
    t = type_check(node, scope)
    if boolean and t not in (BOOLEAN, ANY):
        raise RuleSyntaxError(f"表达式的结果应为条件（是非），此处为{_word(t)}")
    return node


# ---------------------------------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True)
class Environment:
    """Cleaned submission values (see :mod:`forms.submission`) and the applicant's local date."""

    values: Mapping[str, Any]
    today: dt.date


def _bounded(value: Decimal) -> Decimal:
    if not value.is_finite() or abs(value) >= _LIMIT:
        raise RuleEvaluationError("数值超出范围")
    return value


def _plain(value: Any) -> Any:
    """A cleaned value as the language sees it: numbers as Decimal, empty values as None."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, (str, list, dict)) and len(value) == 0:
        return None
    return value


def evaluate(node: Node, env: Environment) -> Any:
    """The value of ``node``. Raises RuleEvaluationError; an empty value raises the internal _Missing,
    which :func:`holds` turns into "does not apply"."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, FieldRef):
        return _lookup(node, env)
    if isinstance(node, ListLiteral):
        return [evaluate(item, env) for item in node.items]
    if isinstance(node, Unary):
        value = _need(evaluate(node.operand, env))
        return (not value) if node.op == "not" else _bounded(-value)
    if isinstance(node, Call):
        args = [evaluate(a, env) for a in node.args]
        if node.name not in _TAKES_EMPTY:
            args = [_need(a) for a in args]
        with decimal.localcontext(_CONTEXT):
            try:
                return FUNCTIONS[node.name].run(env, *args)
            except decimal.DecimalException:
                raise RuleEvaluationError("数值超出范围") from None
    return _binary(node, env)


def _need(value: Any) -> Any:
    if value is None:
        raise _Missing
    return value


def _lookup(node: FieldRef, env: Environment) -> Any:
    value = _plain(env.values.get(node.name))
    if value is None or node.part is None:
        return value
    if isinstance(value, list):  # a table's column
        return [_plain(row.get(node.part)) for row in value if isinstance(row, Mapping)
                and _plain(row.get(node.part)) is not None]
    return _plain(value.get(node.part)) if isinstance(value, Mapping) else None


def _binary(node: Binary, env: Environment) -> Any:
    op = node.op
    if op == "and":
        return bool(_need(evaluate(node.left, env))) and bool(_need(evaluate(node.right, env)))
    if op == "or":
        return bool(_need(evaluate(node.left, env))) or bool(_need(evaluate(node.right, env)))
    left, right = evaluate(node.left, env), evaluate(node.right, env)
    if op in ("==", "!="):
        if (isinstance(node.left, Literal) and node.left.value is None) or \
                (isinstance(node.right, Literal) and node.right.value is None):
            same = left is None and right is None
        else:
            same = _need(left) == _need(right)
        return same if op == "==" else not same
    left, right = _need(left), _need(right)
    if op == "in":
        if isinstance(left, list):
            return any(v in right for v in left)
        return left in right
    try:
        with decimal.localcontext(_CONTEXT):
            if op == "<":
                return left < right
            if op == "<=":
                return left <= right
            if op == ">":
                return left > right
            if op == ">=":
                return left >= right
            if isinstance(left, dt.date) or isinstance(right, dt.date):
                return _date_arithmetic(op, left, right)
            if op == "+":
                return _bounded(left + right)
            if op == "-":
                return _bounded(left - right)
            if op == "*":
                return _bounded(left * right)
            if right == 0:
                raise RuleEvaluationError("除数为零")
            return _bounded(left / right)
    except decimal.DecimalException:
        raise RuleEvaluationError("数值超出范围") from None
    except TypeError:
        raise RuleEvaluationError("类型不符") from None


def _date_arithmetic(op: str, left: Any, right: Any) -> Any:
    if isinstance(left, dt.date) and isinstance(right, dt.date):
        return Decimal((left - right).days)
    if isinstance(left, dt.date):
        return _add_days(left, right if op == "+" else -right)
    return _add_days(right, left)


def holds(node: Node, env: Environment) -> bool | None:
    """Whether the condition holds; None when a field it needs is empty (the rule does not apply).

    Raises RuleEvaluationError.
    """
    try:
        return bool(evaluate(node, env))
    except _Missing:
        return None


__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPRESSION_LENGTH",
    "MAX_TOKENS",
    "Environment",
    "FieldType_",
    "Node",
    "RuleEvaluationError",
    "RuleSyntaxError",
    "check_rule_expression",
    "evaluate",
    "holds",
    "parse_expression",
    "type_check",
]
