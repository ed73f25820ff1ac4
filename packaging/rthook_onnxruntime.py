"""PyInstaller runtime hook: make ONNX Runtime's native libraries (and CUDA's) loadable in the bundle.

Runs before the app's code. Windows: puts `onnxruntime/capi` and, for the CUDA flavour, every
`nvidia/*/bin` folder of the bundle on the DLL search path (os.add_dll_directory and PATH, which the
CUDA provider's delay-loaded DLLs still use). Linux: the CUDA flavour's provider library dlopens
libcudart/libcublas/libcudnn by soname; when the build collected the nvidia-* wheels into
`nvidia/*/lib`, they are preloaded here (RTLD_GLOBAL) so that those sonames resolve, the same thing
`onnxruntime.preload_dlls()` does unfrozen. Set DESKTOP_APP_CUDA_PRELOAD=0 to skip the preload (the
system's CUDA/cuDNN on the library path are then used). macOS and the CPU flavour need nothing.
No import of onnxruntime here: that would slow every start, including the GUI's.
"""

import contextlib
import glob
import os
import sys

# Handles returned by os.add_dll_directory must stay alive for the directories to stay on the path.
_DLL_DIRECTORY_HANDLES = []
_PRELOADED = []

# Load order matters where sonames depend on each other (cublas needs cublasLt, cudnn's engines need
# the cudnn core). Optional libraries that are missing are simply skipped.
_LINUX_CUDA_LIBS = (
    "cuda_runtime/lib/libcudart.so*",
    "cuda_nvrtc/lib/libnvrtc.so*",
    "nvjitlink/lib/libnvJitLink.so*",
    "cublas/lib/libcublasLt.so*",
    "cublas/lib/libcublas.so*",
    "curand/lib/libcurand.so*",
    "cufft/lib/libcufft.so*",
    "cudnn/lib/libcudnn.so*",
)


def _bundle_root():
    return getattr(sys, "_MEIPASS", os.path.dirname(os.path.abspath(sys.executable)))


def _windows(root):
    folders = [os.path.join(root, "onnxruntime", "capi")]
    folders += sorted(glob.glob(os.path.join(root, "nvidia", "*", "bin")))
    folders = [f for f in folders if os.path.isdir(f)]
    for folder in folders:
        with contextlib.suppress(OSError):
            _DLL_DIRECTORY_HANDLES.append(os.add_dll_directory(folder))
    if folders:
        os.environ["PATH"] = os.pathsep.join(folders + [os.environ.get("PATH", "")])


def _linux(root):
    nvidia = os.path.join(root, "nvidia")
    if not os.path.isdir(nvidia) or os.environ.get("DESKTOP_APP_CUDA_PRELOAD", "1") == "0":
        return
    import ctypes

    for pattern in _LINUX_CUDA_LIBS:
        for path in sorted(glob.glob(os.path.join(nvidia, pattern)), key=len):
            # A failure (no driver, wrong CUDA) is left to ONNX Runtime, which falls back to CPU and says why.
            with contextlib.suppress(OSError):
                _PRELOADED.append(ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL))
            break  # the shortest name per pattern is the soname file


def _install():
    root = _bundle_root()
    if sys.platform == "win32":
        _windows(root)
    elif sys.platform.startswith("linux"):
        _linux(root)


_install()
