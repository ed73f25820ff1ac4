"""Offline desktop workbench for ONNX model inference."""

__version__ = "0.1.0"
