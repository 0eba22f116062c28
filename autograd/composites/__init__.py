"""Composites: ops built from other ops. They have no Op class and no backward of their own: their gradients,
of every order, come from the primitives they call (autograd/ops/). One module per family, as in ops/;
autograd.ops collects their public functions together with the primitives'."""
from . import (
               activations,
               blocks,
               conv,
               elementwise,
               gamma,
               indexing,
               layout,
               linalg,
               math,
               matrices,
               norm,
               positions,
               quantiles,
               rearrange,
               scans,
               selecting,
               shape,
               sorting,
               spectral,
               stats,
)

MODULES = [activations, blocks, conv, elementwise, gamma, indexing, layout, linalg, math, matrices, norm,
           positions, quantiles, rearrange, scans, selecting, shape, sorting, spectral, stats]
