"""Runtime hook of the frozen app: stand-ins for PySide6.QtOpenGL and QtOpenGLWidgets.

pyqtgraph imports both at start-up only to define its optional OpenGL view, which the app never turns on
(useOpenGL stays False). The real bindings cost about 9 MB of the bundle, so the build leaves them out and
this hook provides modules that let pyqtgraph import; any actual OpenGL use fails with a clear error.
"""

from __future__ import annotations

import importlib.util
import sys
import types


def _install() -> None:
    if importlib.util.find_spec("PySide6.QtOpenGL") is not None:
        return  # a build that ships the real bindings
    from PySide6 import QtWidgets

    def missing(name: str) -> object:
        raise ImportError(f"OpenGL ({name}) is not part of this build of the app")

    class QOpenGLWidget(QtWidgets.QWidget):
        def __init__(self, *args: object, **kwargs: object) -> None:
            missing("QOpenGLWidget")

    widgets = types.ModuleType("PySide6.QtOpenGLWidgets")
    widgets.QOpenGLWidget = QOpenGLWidget  # type: ignore[attr-defined]
    widgets.__getattr__ = missing  # type: ignore[method-assign]
    opengl = types.ModuleType("PySide6.QtOpenGL")
    opengl.__getattr__ = missing  # type: ignore[method-assign]
    sys.modules.setdefault("PySide6.QtOpenGL", opengl)
    sys.modules.setdefault("PySide6.QtOpenGLWidgets", widgets)


_install()
