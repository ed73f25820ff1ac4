"""`text-classify`: a text (a .txt file or a typed string) → tokens (Hugging Face `tokenizers`) → class scores.

The tokenizer file named by the card's `[text]` table is read once, size-limited; the model's inputs named
`input_ids`, `attention_mask` and `token_type_ids` are filled by name in the model's integer type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.errors import ModelCardError, TaskError, whole_message
from desktop_app.core.media.text import check_text, load_text
from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.card_outputs import TextInput
from desktop_app.core.models.safe_literal import MAX_TOKENIZER_BYTES, read_limited_bytes
from desktop_app.core.results import ClassificationResult
from desktop_app.core.runtime.session import ModelSession, SessionPool
from desktop_app.core.tasks.base import StageClock, Task, register
from desktop_app.core.tasks.classify import ACTIVATIONS, top_k

_INT_TYPES = {"tensor(int64)": np.int64, "tensor(int32)": np.int32}
#: Model input name → what the tokenizer's encoding gives for it.
_FEEDS = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}


def load_tokenizer(card: ModelCard, spec: TextInput) -> Any:
    """The card's tokenizer file, truncating to `max_length` tokens; ModelCardError naming the file."""
    from tokenizers import Tokenizer

    path = card.folder / spec.tokenizer
    data = read_limited_bytes(path, MAX_TOKENIZER_BYTES)
    try:
        tokenizer = Tokenizer.from_str(data.decode("utf-8"))
    except Exception as exc:  # the Rust side raises plain Exceptions
        raise ModelCardError(f"{card.id}: {spec.tokenizer} is not a tokenizer file ({whole_message(exc, 200)})") from None
    tokenizer.no_padding()
    tokenizer.enable_truncation(spec.max_length)
    return tokenizer


@register
class TextClassifyTask(Task):
    """Text → top-k classes (sentiment, topic, …) from a Hugging Face text classifier."""

    name = "text-classify"
    input_kind = "text"
    payload_type = ClassificationResult

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        super().__init__(card, session, pool)
        self.spec = card.text or TextInput()
        self.tokenizer = load_tokenizer(card, self.spec)
        self.labels = card.labels()
        outputs = card.classify
        self.output = outputs.output if outputs and outputs.output else session.output_names[0]
        self.activation = outputs.activation if outputs else "auto"
        if self.output not in session.output_names:
            raise TaskError(f"{card.id}: [classify] output '{self.output}' is not an output of the model "
                            f"({', '.join(session.output_names)})")
        self.feeds: dict[str, tuple[str, Any]] = {}
        for inp in session.inputs:
            if inp.name not in _FEEDS:
                raise TaskError(f"{card.id}: input '{inp.name}' is not one the tokenizer fills "
                                f"({', '.join(_FEEDS)})")
            dtype = _INT_TYPES.get(inp.type)
            if dtype is None:
                raise TaskError(f"{card.id}: input '{inp.name}' is {inp.type}; token inputs must be int64 or int32")
            self.feeds[inp.name] = (_FEEDS[inp.name], dtype)
        if "input_ids" not in self.feeds:
            raise TaskError(f"{card.id}: the model has no 'input_ids' input; is it a text classifier?")

    def decode(self, path: Path) -> str:
        return load_text(path)

    def tensors(self, text: str) -> dict[str, np.ndarray]:
        """The model's feeds for one text, batch of one."""
        text = check_text(text)
        encoding = self.tokenizer.encode(text.lower() if self.spec.lowercase else text)
        return {name: np.asarray([getattr(encoding, field)], dtype=dtype) for name, (field, dtype) in self.feeds.items()}

    def run(self, data: Any, clock: StageClock, **options: Any) -> ClassificationResult:
        if not isinstance(data, str):
            raise TaskError(f"{self.card.id} classifies text; give it a .txt file or typed text")
        with clock.stage("preprocess"):
            feeds = self.tensors(data)
        (scores,), ms = self.session.run(feeds, [self.output])
        clock.add("inference", ms)
        with clock.stage("postprocess"):
            row = np.asarray(scores).reshape(1, -1)
            if self.labels and len(self.labels) != row.shape[1]:
                raise TaskError(f"{self.card.id}: labels: {len(self.labels)} names for {row.shape[1]} class scores")
            probs = ACTIVATIONS[self.activation](row)[0]
            return ClassificationResult(top=top_k(probs, self.labels, int(options.get("top_k", 5))),
                                        num_classes=int(probs.shape[0]))
