# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "scnc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".scn", ".scnir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   # the fuzz targets' seeds (fuzz/seeds.py), not tests
                   "fuzz"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.scnc_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.scnc_tools_dir, append_path=True)
config.substitutions.append(("%examples", os.path.join(config.scnc_src_root, "examples")))
config.substitutions.append(("%scnc-src", config.scnc_src_root))
# use_default_substitutions() maps %python to the interpreter running lit
# (e.g. a pyenv python3 without numpy); tests need the configured one, which
# has numpy (python3-numpy), so ours replaces it.
config.substitutions = [s for s in config.substitutions if s[0] != "%python"]
config.substitutions.append(("%python", '"%s"' % config.python_executable))
llvm_config.add_tool_substitutions(["scncc", "scnc-opt", "scnc-objdump", "scnc-run", "scnc-plot", "scnc-data", "scnc-train"], [config.scnc_tools_dir])

# The ARM968 core program (runtime/arm, docs/arm.md): "arm" when this build
# made it (arm-none-eabi-g++ installed), "arm-qemu" when qemu-system-arm can
# run it too. Tests that need them are UNSUPPORTED (a clear skip) otherwise.
import shutil
if getattr(config, "scnc_have_arm", "OFF") == "ON":
    config.available_features.add("arm")
    if shutil.which("qemu-system-arm"):
        config.available_features.add("arm-qemu")
    else:
        lit_config.note("no qemu-system-arm: the ARM equivalence tests (test/ARM) "
                        "are skipped; scripts/install-deps.sh installs it")
else:
    lit_config.note("this build has no ARM968 core program (no arm-none-eabi-g++ "
                    "or SCNC_ARM=OFF): the ARM tests are skipped")
config.substitutions.append(("%arm-check-app", os.path.join(
    config.scnc_src_root, "runtime", "arm", "CheckApp.cmake")))
config.substitutions.append(("%kernel-resources", os.path.join(
    config.scnc_src_root, "runtime", "kernel", "Resources.h")))
config.substitutions.append(("%arm-ld-script", os.path.join(
    config.scnc_src_root, "runtime", "arm", "scnc.ld")))
config.substitutions.append(("%scnc-obj", config.scnc_obj_root))
config.substitutions.append(("%arm-equivalence", "%s --build %s" % (
    os.path.join(config.scnc_src_root, "scripts", "arm-equivalence.sh"),
    config.scnc_obj_root)))
config.substitutions.append(("%digit", os.path.join(config.scnc_src_root, "examples", "inputs", "digit.npy")))

# Distributed runs (docs/distributed.md): "mpi" when scnc-run was built with
# MPI and mpirun is here. %mpirun runs as root too (CI) and allows more
# ranks than cores.
if getattr(config, "scnc_have_mpi", "OFF") == "ON" and shutil.which("mpirun"):
    config.available_features.add("mpi")
else:
    lit_config.note("no MPI (scnc-run built without it, or no mpirun): the "
                    "distributed-run tests are skipped")
config.substitutions.append(("%mpirun", "mpirun --allow-run-as-root --oversubscribe"))

# PyNN out (docs/interop.md): "pynn-brian2" when the configured python has
# PyNN and Brian2 (Debian's python3-pynn and python3-brian); found without
# importing them (PyNN's Brian2 backend takes seconds to import).
import subprocess
try:
    subprocess.run([config.python_executable, "-c",
                    "import importlib.util as u, sys; "
                    "sys.exit(not (u.find_spec('pyNN') and u.find_spec('brian2')))"],
                   check=True, capture_output=True, timeout=60)
    config.available_features.add("pynn-brian2")
except Exception:
    lit_config.note("no PyNN with Brian2 for the configured python "
                    "(apt-get install python3-pynn python3-brian): the PyNN "
                    "run test is skipped")
