"""CodeDeploy's operations, one function each: ``HANDLERS[name](box, params) -> result``.

Inputs, outputs and errors follow botocore's model (codedeploy-api.md section 3); limits follow
section 7, with the choices made where sources disagree noted at each constant. The operations
live in one module per concept (``_ops_apps``, ``_ops_configs``, ``_ops_groups``,
``_ops_deployments``, ``_ops_targets``, ``_ops_onprem``); each registers its handlers with
:data:`HANDLERS` when imported, which this module does for all of them.
"""

from __future__ import annotations

from shiftsim.aws import (
    _ops_apps,
    _ops_configs,
    _ops_deployments,
    _ops_groups,
    _ops_onprem,
    _ops_targets,
)
from shiftsim.aws._ops_common import HANDLERS, Handler, check_required

__all__ = ["HANDLERS", "Handler", "check_required"]

#: The modules whose handlers :data:`HANDLERS` holds (imported for their registrations).
MODULES = (_ops_apps, _ops_configs, _ops_groups, _ops_deployments, _ops_targets, _ops_onprem)
