"""The last resort: nothing recognised, so the card is `raw` with what the signature tells about the input."""

from __future__ import annotations

from typing import Any

from desktop_app.core.models.recognize.base import ModelFacts, Recognition, image_guess, recogniser


def from_signature(facts: ModelFacts) -> Recognition:
    """Task raw; an image-like input's size, layout and element type filled in; the summary says what is missing."""
    guess = image_guess(facts.info.inputs)
    card: dict[str, Any] = {"task": "raw"}
    if guess is None:
        summary = "not recognised: task raw (no image input in the signature); describe the task and its inputs"
        return Recognition(card, summary, "signature", recognised=False)
    card["image"] = guess.table()
    summary = (f"not recognised: task raw, input '{guess.name}' {guess.describe()} from the signature; "
               "describe the task, scaling, labels and outputs")
    return Recognition(card, summary, "signature", recognised=False)


@recogniser("signature")
def recognise_signature(facts: ModelFacts) -> Recognition:
    """Always answers: registered last."""
    return from_signature(facts)
