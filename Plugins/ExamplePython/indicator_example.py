#!/usr/bin/env python3
"""An example ClusterReview indicator module in Python 3, standard library only.

It speaks protocol 1 (docs/module-protocol.md) and judges one criterion: the cluster has at least
`min_enterprises` enterprises, a parameter it declares in its ready line and reads from the
rulebook (config/parameters.json); a rulebook without it makes the finding `manual`, never a
made-up default. It is proof that a module in another language needs no change to the coordinator:
an executable, one entry in config/modules.json and its parameter in config/parameters.json.

Check it with:  cluster-review plugins check Plugins/ExamplePython/indicator_example.py
"""

import json
import os
import re
import sys
from decimal import Decimal, InvalidOperation
from datetime import date

PROTOCOL = 1
MODULE = {"id": "example-python", "version": "0.2.0",
          "title": {"zh": "示例：集群企业数量", "en": "Example: enterprises in the cluster"}}
# The criterion, declared once: what it is, and the rulebook parameter it reads (the rulebook must
# give the same comparator and unit).
CRITERION = {
    "id": "PYEX-1",
    "title": {"zh": "集群企业数量", "en": "Number of enterprises in the cluster"},
    "kind": "threshold",
    "citation": "Example module; not part of the measures",
    "parameters": [{"name": "min_enterprises", "comparator": ">=", "unit": "enterprises"}],
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def log(text):
    """Logs one line on stderr, which the coordinator copies into its log."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def number(value):
    """Exact decimals on the wire: integers as JSON numbers, others as strings."""
    if value == value.to_integral_value():
        return int(value)
    return str(value)


class Refusal(Exception):
    """A request answered with an `error` reply."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def evaluate(filing, context, parameters, as_of):
    """Returns the findings for one filing: a pure function of its arguments."""
    enterprises = filing.get("enterprises")
    if "min_enterprises" not in parameters:
        # No threshold in this rulebook: a person judges, never a made-up default.
        return [{
            "criterion": CRITERION["id"], "verdict": "manual", "score": 60,
            "observed": len(enterprises) if isinstance(enterprises, list) else None,
            "message": {"zh": "本规则集没有参数 min_enterprises 的阈值，需人工判断。",
                        "en": "No threshold in this rulebook (min_enterprises); a person must judge."},
            "citation": CRITERION["citation"], "parameters": {},
        }]
    try:
        minimum = Decimal(str(parameters["min_enterprises"]))
    except InvalidOperation:
        raise Refusal("invalid_request", "parameter min_enterprises is not a number")
    used = {"min_enterprises": number(minimum)}
    if enterprises is None:
        return [{
            "criterion": CRITERION["id"], "verdict": "manual", "score": 60,
            "threshold": number(minimum), "comparator": ">=",
            "message": {"zh": "申报材料未列出集群企业，需人工核实。",
                        "en": "The filing lists no enterprises; a reviewer must check."},
            "citation": CRITERION["citation"], "parameters": used,
        }]
    if not isinstance(enterprises, list):
        raise Refusal("invalid_request", "filing.enterprises must be an array")
    count = Decimal(len(enterprises))
    passed = count >= minimum
    if minimum > 0:
        score = 60 + 40 * (count - minimum) / minimum
    else:
        score = Decimal(100)
    score = int(max(Decimal(0), min(Decimal(100), score)))
    if passed:
        score = max(score, 60)
    else:
        score = min(score, 59)
    return [{
        "criterion": CRITERION["id"], "verdict": "pass" if passed else "fail", "score": score,
        "observed": number(count), "threshold": number(minimum), "comparator": ">=",
        "margin": number(count - minimum),
        "message": {
            "zh": f"集群企业{count}家，{'不少于' if passed else '少于'}{minimum}家。",
            "en": f"The cluster has {count} enterprises, {'at least' if passed else 'fewer than'} {minimum}.",
        },
        "citation": CRITERION["citation"], "parameters": used,
    }]


def respond(line):
    """The reply to one request line (a dict), or None to exit."""
    try:
        message = json.loads(line, parse_float=Decimal)
    except ValueError as error:
        return {"type": "error", "id": None, "code": "invalid_request", "message": f"the line is not JSON: {error}"}
    if not isinstance(message, dict):
        return {"type": "error", "id": None, "code": "invalid_request", "message": "the line is not a JSON object"}
    request_id = message.get("id") if isinstance(message.get("id"), str) else None
    kind = message.get("type")
    if kind == "shutdown":
        return None
    if kind != "evaluate":
        return {"type": "error", "id": request_id, "code": "unknown_message", "message": f"unknown message type {kind!r}"}
    if request_id is None:
        return {"type": "error", "id": None, "code": "invalid_request", "message": "the evaluate request has no string id"}
    for member in ("filing", "context", "parameters"):
        if not isinstance(message.get(member), dict):
            return {"type": "error", "id": request_id, "code": "invalid_request", "message": f"{member} must be a JSON object"}
    as_of = message.get("as_of")
    try:
        if not isinstance(as_of, str) or not DATE.match(as_of):
            raise ValueError
        as_of = date.fromisoformat(as_of)
    except ValueError:
        return {"type": "error", "id": request_id, "code": "invalid_request",
                "message": f"as_of: expected a date YYYY-MM-DD, found {message.get('as_of')!r}"}
    try:
        findings = evaluate(message["filing"], message["context"], message["parameters"], as_of)
    except Refusal as refusal:
        return {"type": "error", "id": request_id, "code": refusal.code, "message": refusal.message}
    except Exception as error:  # the module's own bug: reply, keep serving
        return {"type": "error", "id": request_id, "code": "evaluation_failed", "message": repr(error)}
    return {"type": "findings", "id": request_id, "findings": findings}


def main():
    offered = os.environ.get("CLUSTER_REVIEW_PROTOCOL")
    if offered is None:
        log("example-python: this is a ClusterReview indicator module; it speaks protocol 1 on stdin/stdout "
            "and is started by the coordinator. To try it: cluster-review plugins check " + sys.argv[0])
        return 64
    versions = [part.strip() for part in offered.split(",")]
    if str(PROTOCOL) not in versions:
        log(f"example-python: the coordinator offers protocol versions {offered}, this module speaks only {PROTOCOL}")
        return 76
    # Guard the protocol channel: a private copy of stdout for protocol lines; fd 1 becomes stderr.
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def send(message):
        channel.write(json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n")
        channel.flush()

    try:
        send({"type": "ready", "protocol": PROTOCOL, "module": MODULE,
              "applies_to": ["initial", "recertification"], "criteria": [CRITERION], "reads": ["enterprises"]})
        for raw in sys.stdin.buffer:
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            reply = respond(line)
            if reply is None:
                return 0
            send(reply)
    except BrokenPipeError:
        pass  # the coordinator is gone
    return 0


if __name__ == "__main__":
    sys.exit(main())
