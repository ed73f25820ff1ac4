"""Hugging Face part of the user-export fixtures: tiny ViT / ConvNeXt / BERT classifiers exported with Optimum.

Configs, processors and tokenizers are built locally (nothing comes from a hub); weights are a seeded random
initialisation (ViT and BERT with a large initializer_range so different inputs give clearly different outputs)
whose classifier head is widened so the classes are well apart (stable top-5 order).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

IMAGE_LABELS = {0: "apple", 1: "bicycle", 2: "cloud", 3: "dolphin", 4: "envelope"}
CROP_LABELS = {0: "circle", 1: "square", 2: "triangle", 3: "background"}
TEXT_LABELS = {0: "negative", 1: "neutral", 2: "positive"}
OPSET = 17
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _widen_head(linear: Any, std: float) -> None:
    """Redraw a classifier head's weights with a larger std (seeded) so logits differ clearly between classes."""
    import torch

    with torch.no_grad():
        linear.weight.normal_(0.0, std)
        linear.bias.normal_(0.0, std / 4)


def _export(src: Path, out: Path, task: str) -> None:
    """Optimum's ONNX exporter on a local folder; the output folder holds model.onnx plus configs/processors."""
    from optimum.exporters.onnx import main_export

    if out.exists():
        shutil.rmtree(out)
    main_export(str(src), output=str(out), task=task, opset=OPSET, device="cpu", local_files_only=True)


def make_vit(src: Path) -> None:
    """Tiny ViT (64x64, patch 16) with a stretch-resize processor (bilinear, mean/std 0.5)."""
    import torch
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    torch.manual_seed(0)
    cfg = ViTConfig(image_size=64, patch_size=16, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=64, initializer_range=0.2, num_labels=len(IMAGE_LABELS), id2label=IMAGE_LABELS,
                    label2id={v: k for k, v in IMAGE_LABELS.items()})
    model = ViTForImageClassification(cfg).eval()
    _widen_head(model.classifier, 0.5)
    model.save_pretrained(src)
    ViTImageProcessor(do_resize=True, size={"height": 64, "width": 64}, resample=2, do_rescale=True,
                      rescale_factor=1 / 255, do_normalize=True, image_mean=[0.5, 0.5, 0.5],
                      image_std=[0.5, 0.5, 0.5]).save_pretrained(src)


def make_convnext(src: Path) -> None:
    """Tiny ConvNeXt with the ConvNeXt processor: resize shortest edge to 64/crop_pct (bicubic), centre crop 64."""
    import torch
    from transformers import ConvNextConfig, ConvNextForImageClassification, ConvNextImageProcessor

    torch.manual_seed(0)
    cfg = ConvNextConfig(hidden_sizes=[8, 16, 24, 32], depths=[1, 1, 1, 1], num_labels=len(CROP_LABELS),
                         id2label=CROP_LABELS, label2id={v: k for k, v in CROP_LABELS.items()})
    model = ConvNextForImageClassification(cfg).eval()
    _widen_head(model.classifier, 0.5)
    model.save_pretrained(src)
    ConvNextImageProcessor(do_resize=True, size={"shortest_edge": 64}, crop_pct=0.875, resample=3,
                           do_rescale=True, rescale_factor=1 / 255, do_normalize=True,
                           image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225]).save_pretrained(src)


def _sentences() -> list[str]:
    """Synthetic sentences the WordPiece vocabulary is learnt from (seeded)."""
    rng = np.random.default_rng(0)
    subjects = ["the team", "my friend", "the delivery", "the weather", "this phone", "the meeting", "our trip",
                "the results", "everyone", "the room"]
    verbs = ["was", "is", "seemed", "looked", "felt", "became", "stayed"]
    adjectives = ["wonderful", "great", "happy", "sunny", "late", "broken", "unhappy", "terrible", "scheduled",
                  "ordinary", "quiet", "loved", "delightful", "awful", "fine"]
    extras = ["again", "today", "on tuesday", "at ten", "in room four", "this morning", "for everyone",
              "with the parts", "after lunch", "as usual"]
    return [f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(adjectives)} {rng.choice(extras)}"
            for _ in range(2000)]


def make_text(src: Path) -> None:
    """Tiny BERT sequence classifier and a WordPiece tokenizer trained here, saved as BertTokenizerFast."""
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(_sentences(), trainers.WordPieceTrainer(vocab_size=300, special_tokens=SPECIAL_TOKENS))
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)])
    tok.decoder = decoders.WordPiece()
    fast = BertTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                             sep_token="[SEP]", mask_token="[MASK]", model_max_length=64, do_lower_case=True)
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=64, num_labels=len(TEXT_LABELS),
                     initializer_range=0.5,
                     id2label=TEXT_LABELS, label2id={v: k for k, v in TEXT_LABELS.items()})
    model = BertForSequenceClassification(cfg).eval()
    _widen_head(model.classifier, 0.5)
    model.save_pretrained(src)
    fast.save_pretrained(src)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _entry(logits: np.ndarray, id2label: dict[int, str]) -> dict[str, Any]:
    probs = _softmax(logits.astype(np.float64))
    order = np.argsort(-probs)[:5]
    return {"logits": np.round(logits, 6).tolist(), "probs": np.round(probs, 7).tolist(),
            "top5": [int(i) for i in order], "top5_prob": [round(float(probs[i]), 7) for i in order],
            "top5_names": [id2label[int(i)] for i in order]}


def image_reference(folder: Path, images: list[Path]) -> dict[str, Any]:
    """ORTModelForImageClassification + the saved image processor on each picture."""
    from optimum.onnxruntime import ORTModelForImageClassification
    from PIL import Image
    from transformers import AutoImageProcessor

    model = ORTModelForImageClassification.from_pretrained(folder, local_files_only=True)
    processor = AutoImageProcessor.from_pretrained(folder, local_files_only=True)
    id2label = {int(k): v for k, v in model.config.id2label.items()}
    results: dict[str, Any] = {}
    for path in images:
        with Image.open(path) as im:
            inputs = processor(images=im.convert("RGB"), return_tensors="pt")
        logits = model(**inputs).logits.detach().cpu().numpy()[0]
        pv = inputs["pixel_values"].numpy()
        results[path.name] = {**_entry(logits, id2label), "pixel_values_shape": list(pv.shape),
                              "pixel_values_mean": round(float(pv.mean()), 6)}
    return {"framework": "optimum-onnx", "version": _version("optimum-onnx"),
            "model_file": "model.onnx", "task": "image-classification",
            "predictor_call": {"call": "ORTModelForImageClassification.from_pretrained(folder); "
                                       "AutoImageProcessor.from_pretrained(folder)(images=PIL RGB, "
                                       "return_tensors='pt'); softmax(logits)"},
            "id2label": {str(k): v for k, v in id2label.items()}, "results": results}


def text_reference(folder: Path, texts: list[Path]) -> dict[str, Any]:
    """ORTModelForSequenceClassification + the saved tokenizer on each .txt sample (stripped, no padding)."""
    from optimum.onnxruntime import ORTModelForSequenceClassification
    from transformers import AutoTokenizer

    model = ORTModelForSequenceClassification.from_pretrained(folder, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    id2label = {int(k): v for k, v in model.config.id2label.items()}
    results: dict[str, Any] = {}
    for path in texts:
        text = path.read_text(encoding="utf-8").strip()
        enc = tokenizer(text, return_tensors="pt", truncation=True)
        logits = model(**enc).logits.detach().cpu().numpy()[0]
        results[path.name] = {**_entry(logits, id2label), "text": text,
                              "input_ids": enc["input_ids"][0].tolist(),
                              "tokens": tokenizer.convert_ids_to_tokens(enc["input_ids"][0].tolist())}
    return {"framework": "optimum-onnx", "version": _version("optimum-onnx"), "model_file": "model.onnx",
            "task": "text-classification",
            "predictor_call": {"call": "ORTModelForSequenceClassification.from_pretrained(folder); "
                                       "AutoTokenizer.from_pretrained(folder)(text.strip(), return_tensors='pt', "
                                       "truncation=True); softmax(logits)"},
            "id2label": {str(k): v for k, v in id2label.items()}, "results": results}


def _version(dist: str) -> str:
    import importlib.metadata

    return importlib.metadata.version(dist)


def build_all(out: Path, real_photo: Path, repo: Path) -> None:
    """Make, export and reference hf-vit, hf-convnext and hf-text under `out`."""
    from user_exports_samples import CROP_SAMPLES, SHAPE_SAMPLES, text_samples

    samples = out / "samples"
    pictures = [real_photo, samples / SHAPE_SAMPLES[0][0], *(samples / n for n, _ in CROP_SAMPLES)]
    with tempfile.TemporaryDirectory() as tmp:
        for name, make, task in (("hf-vit", make_vit, "image-classification"),
                                 ("hf-convnext", make_convnext, "image-classification"),
                                 ("hf-text", make_text, "text-classification")):
            src = Path(tmp) / name
            make(src)
            _export(src, out / name, task)
            if task == "text-classification":
                ref = text_reference(out / name, text_samples(samples))
            else:
                ref = image_reference(out / name, pictures)
            ref["sample_paths"] = {p.name: p.relative_to(repo).as_posix() for p in (text_samples(samples) if task.startswith("text")
                                                            else pictures)}
            (out / name / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")
            gaps = [min(np.diff(-np.asarray(r["top5_prob"]))) for r in ref["results"].values()]
            print(f"[hf] {name}: {sorted(p.name for p in (out / name).iterdir())}, min top-5 gap {min(gaps):.4g}",
                  flush=True)
