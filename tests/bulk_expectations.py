"""Expectations shared by the bulk-matching tests: what `resmeta match` writes for a string."""

import csv
import io
import json


def expected(matcher, text, top_k=0, threshold=None, multisearch=False):
    """The result columns `resmeta match` should write for `text` (JSON values)."""
    matches = matcher.match(text, threshold=threshold, multisearch=multisearch)
    chosen = matches[0] if matches and matches[0].chosen else None
    result = {
        "ror_id": f"https://ror.org/{chosen.info.id}" if chosen else None,
        "name": chosen.info.display if chosen else None,
        "score": round(chosen.score, 4) if chosen else None,
        "matching_type": chosen.matching_type if chosen else None,
        "chosen": chosen is not None,
        "confidence": round(chosen.confidence, 4) if chosen else None,
    }
    if multisearch:
        result["also_chosen"] = [_listed(m) for m in matches[1:] if m.chosen]
    if top_k:
        result["candidates"] = [_listed(m) for m in matches if not m.chosen][:top_k]
    return result


def _listed(match):
    return {
        "ror_id": f"https://ror.org/{match.info.id}",
        "name": match.info.display,
        "score": round(match.score, 4),
        "matching_type": match.matching_type,
        "confidence": round(match.confidence, 4),
    }


def as_csv_cells(result):
    """`expected(...)` as CSV cells read back by csv.DictReader."""
    cells = {k: "" if v is None else str(v) for k, v in result.items()}
    cells["chosen"] = "true" if result["chosen"] else "false"
    cells.pop("candidates", None)
    cells.pop("also_chosen", None)
    return cells


def csv_text(rows, delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def jsonl_text(items):
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
