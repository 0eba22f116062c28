"""compile(fn): a training step recorded once as the numpy operations it runs, then replayed as straight-line numpy
(no Tensor or Op objects per call, buffers reused). See docs/compile.md."""
from .api import CompiledFunction, compile
from .hooks import describe, name_outputs, replay_call, traced_call
from .program import CompileError

__all__ = ["CompileError", "CompiledFunction", "compile", "describe", "name_outputs", "replay_call", "traced_call"]
