"""The Models dock's side of the tools: Benchmark and Make int8 copy… on the selected model, asked for, started
in QtModelTools' workers and their results shown in the inspector and the status line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop_app.core.runtime.bench import BenchResult

if TYPE_CHECKING:  # onnxruntime.quantization is imported only when an int8 copy is made
    from desktop_app.core.models.quantize import QuantizationReport
    from desktop_app.qt.models.qt_model_manager import QtModelManager


class QtModelToolRuns(QObject):
    """Starts the selected model's benchmark or int8 copy and shows how it went."""

    def __init__(self, manager: QtModelManager) -> None:
        super().__init__(manager)
        self.manager = manager
        tools = manager.tools
        tools.benched.connect(self._on_benched)
        tools.quantized.connect(self._on_quantized)
        tools.failed.connect(self._on_failed)

    def bench_selected(self) -> bool:
        """Benchmark the selected model in a worker; the result shows in the inspector's Benchmark tab."""
        m = self.manager
        card = m.selected_card()
        if card is None or m.tools.bench_control.busy:
            return False
        m.inspector.show_tool_text([f"Benchmarking {card.id} on every healthy provider…"])
        m.message.emit(f"benchmarking {card.id}…")
        m.tools.bench(card)
        return True

    def quantize_selected(self) -> bool:
        """Ask for a calibration folder, then make the int8 copy in a worker."""
        m = self.manager
        card = m.selected_card()
        if card is None or m.tools.quantize_control.busy:
            return False
        folder = m.ask_folder(f"Calibration images for {card.id} (your own inputs)")
        if folder is None:
            return False
        m.inspector.show_tool_text([f"Making an int8 copy of {card.id} calibrated on {folder}…"])
        m.message.emit(f"making an int8 copy of {card.id}…")
        m.tools.quantize(card, folder)
        return True

    def _on_benched(self, result: BenchResult) -> None:
        m = self.manager
        m.inspector.show_tool_text(result.lines())
        if result.save_error:  # the numbers are shown all the same
            m.message.emit(f"benchmark of {result.model_id} done, not saved: {result.save_error}")
        else:
            m.message.emit(f"benchmark of {result.model_id} saved to {result.saved_to}")

    def _on_quantized(self, report: QuantizationReport) -> None:
        m = self.manager
        m.controller.forget(report.copy_id)
        m.refresh(select=report.copy_id)
        m.inspector.show_tool_text(report.lines())
        m.message.emit(f"int8 copy {report.copy_id}: {report.latency_ratio:.2f}x faster, "
                       f"top-1 agreement {report.top1_agreement:.0%}")

    def _on_failed(self, tool: str, error: str) -> None:
        self.manager.inspector.show_tool_text([f"{tool} failed: {error}"])
        self.manager.show_error(f"{tool} failed: {error}")
