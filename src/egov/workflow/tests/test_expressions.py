"""The restricted expression language: what it computes, and what it refuses (hostile input)."""

import pytest

from egov.workflow.expressions import ExpressionFailed, ExpressionRefused, expression_check, expression_evaluate

DATA = {"accept_decision": "accept", "joint_reviewers": [3, 5], "amount": 12, "form": {"area": 250.5}}


@pytest.mark.parametrize(("expression", "expected"), [
    ("accept_decision == 'accept'", True),
    ("accept_decision != 'accept'", False),
    ("len(joint_reviewers) > 0", True),
    ("5 in joint_reviewers and not 4 in joint_reviewers", True),
    ("4 not in joint_reviewers", True),
    ("amount * 2 + 1", 25),
    ("amount // 5", 2),
    ("amount % 5", 2),
    ("amount / 8", 1.5),
    ("-amount", -12),
    ("form['area'] >= 200", True),
    ("joint_reviewers[-1]", 5),
    ("joint_reviewers[0:1]", [3]),
    ("0 < amount <= 12", True),
    ("'big' if amount > 10 else 'small'", "big"),
    ("max(joint_reviewers) - min(joint_reviewers)", 2),
    ("sorted([3, 1, 2])", [1, 2, 3]),
    ("amount is not None", True),
    ("{'a': 1}['a'] + (1, 2)[1]", 3),
    ("None or 'x'", "x"),
])
def test_allowed_expressions_compute(expression, expected):
    assert expression_evaluate(expression, DATA) == expected


@pytest.mark.parametrize(("expression", "reason"), [
    ("__import__('os').system('id')", "the name __import__ is not allowed"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute access"),
    ("accept_decision.upper()", "attribute access .upper"),
    ("__builtins__", "the name __builtins__ is not allowed"),
    ("_private", "the name _private is not allowed"),
    ("open('/etc/passwd')", "only len, min, max, abs and sorted can be called"),
    ("eval('1')", "only len, min, max, abs and sorted can be called"),
    ("getattr(amount, 'real')", "only len, min, max, abs and sorted can be called"),
    ("(lambda: 1)()", "only len, min, max, abs and sorted can be called"),
    ("lambda: 1", "Lambda is not allowed"),
    ("[x for x in joint_reviewers]", "ListComp is not allowed"),
    ("{x: 1 for x in joint_reviewers}", "DictComp is not allowed"),
    ("(x for x in joint_reviewers)", "GeneratorExp is not allowed"),
    ("9 ** 9 ** 9", "Pow is not allowed"),
    ("(y := 1)", "NamedExpr is not allowed"),
    ("f'{amount}'", "JoinedStr is not allowed"),
    ("len(*joint_reviewers)", "calls take positional arguments only"),
    ("sorted(joint_reviewers, key=len)", "calls take positional arguments only"),
    ("len", "the function len can only be called"),
    ("amount is 12", "'is' compares with None only"),
    ("import os", "syntax error"),
    ("1; 2", "syntax error"),
    ("", "empty expression"),
    ("b'bytes'", "the literal b'bytes' is not allowed"),
    ("1 + " * 600 + "1", "longer than 1000 characters"),
])
def test_hostile_expressions_are_refused_before_running(expression, reason):
    with pytest.raises(ExpressionRefused) as refused:
        expression_check(expression)
    assert reason in refused.value.reason


@pytest.mark.parametrize("expression", ["'a' * 100000000", "[0] * 100000000", "amount * 'x'"])
def test_repetition_is_refused_when_evaluated(expression):
    with pytest.raises(ExpressionRefused, match="multiplies numbers only"):
        expression_evaluate(expression, DATA)


def test_results_are_bounded():
    with pytest.raises(ExpressionRefused, match="longer than 10000 items"):
        expression_evaluate("big + big", {"big": list(range(6000))})


@pytest.mark.parametrize(("expression", "reason"), [
    ("missing == 1", "no case data named missing"),
    ("form['height']", "KeyError"),
    ("amount / 0", "ZeroDivisionError"),
    ("amount['x']", "cannot subscript a int"),
    ("amount + 'x'", "TypeError"),
])
def test_evaluation_failures_name_the_cause(expression, reason):
    with pytest.raises(ExpressionFailed) as failed:
        expression_evaluate(expression, DATA)
    assert reason in failed.value.reason
    assert failed.value.expression == expression
