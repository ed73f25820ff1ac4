"""Text for the monitor panel: intervals, provenance names, tooltips (pure functions, no widgets)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from desktop_app.core.monitor.calibration import CalibrationSummary
from desktop_app.core.monitor.intervals import Interval

DASH = "\u2014"
PROVENANCE_TEXT = {
    "csv-column": "CSV column",
    "sidecar": "labels.csv",
    "session-tag": "session tag",
    "computed": "computed by the app",
}
METRIC_TEXT = {
    "demographic_parity_difference": "Demographic parity difference",
    "demographic_parity_ratio": "Demographic parity ratio",
    "equalized_odds_difference": "Equalized odds difference",
    "equalized_odds_ratio": "Equalized odds ratio",
    "confidence_gap": "Confidence gap (mean top-1 score)",
}
#: The confidence and calibration numbers in plain words (their labels' tooltips).
ROW_TIPS = {
    "Predictions": "How many predictions the monitor counts in the chosen window, for the chosen model",
    "Mean top-1 score": "On average, how sure the model was of its top answer (0 to 1); high does not mean right",
    "Rolling mean": "The same average over only the most recent predictions, to see a change as it happens",
    "Low-confidence threshold": "A prediction whose top score is below this number counts as unsure",
    "Low-confidence rate": "The share of predictions where the model was unsure (top score below the threshold), "
                           "with the 95% interval it is likely to lie in",
    "Mean latency": "On average, how long one prediction took from reading the input to the result",
    "Labelled n": "How many predictions have a known true answer (a CSV column or a labels.csv); calibration "
                  "needs them",
    "Accuracy": "Of the predictions with a known true answer, the share the model got right",
    "Brier (top-1)": "The mean squared gap between the top score and being right (0 is perfect, lower is better)",
    "Brier (positive class)": "The mean squared gap between the positive class's score and the truth (0 is "
                              "perfect)",
    "ECE": "Expected calibration error: on average, how far the model's stated confidence is from how often it "
           "is right (0 = its confidence can be taken at its word)",
    "MCE": "Maximum calibration error: the largest such gap in any confidence band",
}
#: The charts, boxes and tabs in plain words (their tooltips).
PART_TIPS = {
    "Top-1 score": "How many predictions had each top score: bars to the right mean the model was sure of its "
                   "answer; the dashed line is the low-confidence threshold",
    "Margin": "The gap between the two best answers' scores: near 0 the model hesitated between two answers",
    "Normalised entropy": "How spread the scores were over all the answers: 0 = all on one answer, 1 = no "
                          "preference at all",
    "Reliability": "Predictions grouped by how sure the model said it was (x) against how often it was right (y): "
                   "on the dashed diagonal its confidence can be taken at its word; below it, it is overconfident",
    "Group rates": "Each group's rate as a bar, with its 95% interval as the whisker; faded bars rest on too few "
                   "predictions to compare",
    "Confidence numbers": "How sure the model was, worked out from its scores alone: no true answers needed",
    "Least confident": "The predictions the model was least sure about: worth a look; click a file to show it",
    "Disparities": "The gaps between the groups furthest apart, with the range each gap is likely to lie in; "
                   "numbers to weigh, not verdicts",
    "What if": "Move the slider to see how each group's rates would change if the positive class needed a higher "
               "or lower score",
    "Fairness": "How the model's answers differ between groups (e.g. Female and Male, dark and bright pictures)",
    "Confidence": "How sure the model is of its answers, without needing the true answers",
    "Calibration": "Whether the model's confidence matches how often it is right (needs true answers)",
}
_ROW_SUFFIX = re.compile(r"#row\d+$")


def number(value: float | None, digits: int = 3) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def interval(iv: Interval | None, digits: int = 3) -> str:
    """'0.123 [0.101, 0.150]'; the estimate alone when the bounds are undefined; a dash when undefined."""
    if iv is None or iv.estimate is None:
        return DASH
    if iv.low is None or iv.high is None:
        return f"{iv.estimate:.{digits}f} [{DASH}]"
    return f"{iv.estimate:.{digits}f} [{iv.low:.{digits}f}, {iv.high:.{digits}f}]"


def rate(iv: Interval | None) -> str:
    """A rate as people read it: '25% [20–32%]' (the estimate and its 95% interval); a dash when undefined."""
    if iv is None or iv.estimate is None:
        return DASH
    if iv.low is None or iv.high is None:
        return f"{iv.estimate:.0%} [{DASH}]"
    return f"{iv.estimate:.0%} [{iv.low * 100:.0f}–{iv.high:.0%}]"


def interval_tip(iv: Interval | None, n: int | None = None) -> str:
    if iv is None or iv.estimate is None:
        return "undefined here (no events behind this rate yet)"
    text = f"estimate {iv.estimate:.4f}"
    if iv.low is not None and iv.high is not None:
        text += f", 95% interval {iv.low:.4f}\u2013{iv.high:.4f} ({iv.method})"
    else:
        text += f"; the {iv.method} interval is undefined for these counts"
    return text + (f", n={n}" if n is not None else "")


def provenance_text(provenances: Iterable[str]) -> str:
    return ", ".join(PROVENANCE_TEXT.get(p, p) for p in sorted(set(provenances))) or "no values yet"


def attribute_title(attribute: str, provenances: Iterable[str]) -> str:
    """'sex — CSV column': the attribute and where its values came from."""
    return f"{attribute} \u2014 {provenance_text(provenances)}"


def too_few(n: int, min_n: int) -> str:
    return f"n={n} is below the minimum of {min_n}: too few to read as evidence"


def file_of(source: str) -> str | None:
    """The file behind an event's source ('path' or 'path#rowN'), None when it is not an existing file."""
    path = _ROW_SUFFIX.sub("", source)
    try:
        return path if path and Path(path).is_file() else None
    except OSError:
        return None


def parse_session_tag(text: str) -> tuple[str, str] | None:
    """'B' -> ('session', 'B'); 'lighting=dim' -> ('lighting', 'dim'); blank -> None."""
    text = text.strip()
    if not text:
        return None
    attribute, sep, value = text.partition("=")
    if sep and attribute.strip() and value.strip():
        return attribute.strip(), value.strip()
    return "session", text


def _model_name(models: Iterable[tuple[str, str]]) -> str:
    return ", ".join(m for m, _ in models) or "the model"


def confidence_sentence(n: int, mean: float | None, low_rate: Interval, threshold: float,
                        models: Iterable[tuple[str, str]]) -> str:
    """What the confidence numbers mean for this model, in one sentence ('' before any prediction)."""
    if n <= 0 or mean is None:
        return ""
    unsure = round((low_rate.estimate or 0.0) * n)
    return (f"Of {n:,} predictions by {_model_name(models)}, {unsure:,} ({unsure / n:.0%}) were unsure (top score "
            f"below {threshold:.2f}); on average its top answer scored {mean:.2f} out of 1.")


def calibration_sentence(cal: CalibrationSummary, models: Iterable[tuple[str, str]]) -> str:
    """What the calibration numbers mean for this model: how sure it says it is against how often it is right."""
    counted = sum(b.count for b in cal.bins)
    if cal.n <= 0 or cal.accuracy is None or not counted:
        return ""
    said = sum(b.mean_confidence * b.count for b in cal.bins) / counted
    text = (f"Of {cal.n:,} predictions with a known true answer, {_model_name(models)} got {cal.accuracy:.0%} "
            f"right while saying it was {said:.0%} sure on average")
    if cal.ece is None:
        return text + "."
    return text + (f"; its stated confidence is off by about {cal.ece * 100:.0f} percentage points "
                   f"(ECE {cal.ece:.3f}).")
