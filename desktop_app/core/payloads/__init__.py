"""Result payloads, one module per kind, each implementing the `Payload` protocol."""

from desktop_app.core.payloads.classification import ClassificationResult, ClassScore, MultiHeadResult
from desktop_app.core.payloads.detection import Box, Detection, DetectionResult, Point
from desktop_app.core.payloads.pose import Keypoint, PosedPerson, PoseResult
from desktop_app.core.payloads.protocol import ExportValue, Payload, plural
from desktop_app.core.payloads.segmentation import SegmentationResult, SegmentInstance
from desktop_app.core.payloads.speech import SpeechSegment, VadResult
from desktop_app.core.payloads.tensors import RawResult, TensorSummary

__all__ = ["Box", "ClassScore", "ClassificationResult", "Detection", "DetectionResult", "ExportValue", "Keypoint",
           "MultiHeadResult", "Payload", "Point", "PoseResult", "PosedPerson", "RawResult", "SegmentInstance",
           "SegmentationResult", "SpeechSegment", "TensorSummary", "VadResult", "plural"]
