"""Expectations shared by the bulk-matching tests: what `resmeta match` writes for a string."""

import csv
import io
import json


def expected(matcher, text, top_k=0, threshold=None):
    """The result columns `resmeta match` should write for `text` (JSON values)."""
    matches = matcher.match(text, threshold=threshold)
    chosen = matches[0] if matches and matches[0].chosen else None
    result = {
        "ror_id": f"https://ror.org/{chosen.info.id}" if chosen else None,
        "name": chosen.info.display if chosen else None,
        "score": round(chosen.score, 4) if chosen else None,
        "matching_type": chosen.matching_type if chosen else None,
        "chosen": chosen is not None,
        "confidence": round(chosen.confidence, 4) if chosen else None,
    }
    if top_k:
        result["candidates"] = [
            {
                "ror_id": f"https://ror.org/{m.info.id}",
                "name": m.info.display,
                "score": round(m.score, 4),
                "matching_type": m.matching_type,
                "confidence": round(m.confidence, 4),
            }
            for m in matches
            if not m.chosen
        ][:top_k]
    return result


def as_csv_cells(result):
    """`expected(...)` as CSV cells read back by csv.DictReader."""
    cells = {k: "" if v is None else str(v) for k, v in result.items()}
    cells["chosen"] = "true" if result["chosen"] else "false"
    cells.pop("candidates", None)
    return cells


def csv_text(rows, delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def jsonl_text(items):
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
