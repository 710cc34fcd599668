# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "scnc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".scn", ".scnir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.scnc_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.scnc_tools_dir, append_path=True)
config.substitutions.append(("%examples", os.path.join(config.scnc_src_root, "examples")))
# use_default_substitutions() maps %python to the interpreter running lit
# (e.g. a pyenv python3 without numpy); tests need the configured one, which
# has numpy (python3-numpy), so ours replaces it.
config.substitutions = [s for s in config.substitutions if s[0] != "%python"]
config.substitutions.append(("%python", '"%s"' % config.python_executable))
llvm_config.add_tool_substitutions(["scncc", "scnc-opt", "scnc-objdump", "scnc-run", "scnc-plot", "scnc-data", "scnc-train"], [config.scnc_tools_dir])
