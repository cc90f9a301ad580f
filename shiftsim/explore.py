"""An interactive explorer of a Lambda or ECS deployment, for notebooks.

:func:`explore` shows a deployment's figure (:func:`shiftsim.plot.traffic`) under a row of
controls: the deployment configuration, the traffic, the new version's error rate, the alarm's
fields (metric, threshold, N, M, missing data) and the seed. Each change runs
:func:`shiftsim.simulate` again and redraws. It needs ipywidgets, an optional extra::

    pip install "shiftsim[explore]"

Like :mod:`shiftsim.plot`, this module imports matplotlib (and ipywidgets); ``import shiftsim``
imports neither.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from shiftsim.explore import explore
>>> view = explore()                     # in a notebook, the last line of a cell shows it
>>> view.controls["error_rate"].value = 0.2
>>> view.run.status
'Stopped'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from html import escape
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from shiftsim._figures import traffic as _figures
from shiftsim._registry import platform_for
from shiftsim.alarms import Alarm
from shiftsim.configs import predefined_configs
from shiftsim.ecs import EcsDeployment
from shiftsim.errors import ConfigError
from shiftsim.lambda_ import LambdaDeployment
from shiftsim.traffic import Version, rate_profile

__all__ = ["Explorer", "explore"]


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError as error:  # pragma: no cover - the dev extra installs it
        raise ImportError(
            'shiftsim.explore needs ipywidgets: pip install "shiftsim[explore]"'
        ) from error
    return ipywidgets


def _default() -> LambdaDeployment:
    return LambdaDeployment(
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        invocations_per_minute=300,
        target=Version("2", error_rate=0.02),
        alarms=[Alarm("new-version-errors", threshold=0, evaluation_periods=2)],
    )


class Explorer:
    """Controls over a deployment and the figure of its run, redrawn on every change.

    Build it with :func:`explore`. ``controls`` maps each field to its widget; set a
    widget's ``value`` to change the run from code as a user would with the mouse.

    Attributes
    ----------
    deployment : LambdaDeployment or EcsDeployment
        The deployment the controls currently describe.
    run : TrafficRun
        Its latest run.
    figure : matplotlib.figure.Figure
        The figure of that run, redrawn in place.
    controls : dict of str to ipywidgets.Widget
        ``config``, the rate (``invocations_per_minute``, or ECS's ``requests_per_minute``),
        ``error_rate``, ``metric``, ``threshold``, ``evaluation_periods``,
        ``datapoints_to_alarm``, ``treat_missing_data``, ``seed``.
    widget : ipywidgets.VBox
        Controls, a one-line summary and the figure, as shown in a notebook.
    """

    def __init__(self, deployment: Any = None, *, rng: int = 0) -> None:
        widgets = _widgets()
        base = _checked(_default() if deployment is None else deployment, rng)
        self._base = base
        self._rate_field = _rate_field(base)
        self._alarm = base.alarms[0] if base.alarms else Alarm("errors", threshold=0)
        box = _boxes(widgets)
        self.controls: dict[str, Any] = {
            **_deployment_controls(widgets, box, base, self._rate_field),
            **_alarm_controls(widgets, box, self._alarm),
            "seed": box(widgets.IntText, "seed", value=int(rng)),
        }
        self.summary = widgets.HTML()
        self.output = widgets.Output()
        self.figure = Figure(figsize=(8.6, 6.0), layout="constrained")
        left = list(self.controls.values())[:5]
        right = list(self.controls.values())[5:]
        self.widget = widgets.VBox(
            [widgets.HBox([widgets.VBox(left), widgets.VBox(right)]), self.summary, self.output]
        )
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    def _deployment(self) -> LambdaDeployment | EcsDeployment:
        c = {name: control.value for name, control in self.controls.items()}
        n = int(c["evaluation_periods"])
        m_control = self.controls["datapoints_to_alarm"]
        if m_control.max != n:  # M can never exceed N
            m_control.max = n
        alarm = replace(
            self._alarm,
            metric=c["metric"],
            statistic="Sum",
            threshold=float(c["threshold"]),
            evaluation_periods=n,
            datapoints_to_alarm=min(int(m_control.value), n),
            treat_missing_data=c["treat_missing_data"],
        )
        fields: dict[str, Any] = {
            "config": c["config"],
            "target": replace(self._base.target, error_rate=float(c["error_rate"])),
            "alarms": [alarm, *list(self._base.alarms)[1:]],
        }
        fields[self._rate_field] = int(c[self._rate_field])
        return replace(self._base, **fields)

    def update(self, change: Any = None) -> None:
        """Run the deployment the controls describe and redraw (called on every change)."""
        from IPython import get_ipython
        from IPython.display import display

        from shiftsim import simulate

        try:
            self.deployment = self._deployment()
        except ConfigError as error:  # a field out of range: say so, keep the last figure
            self.summary.value = f"<span style='color:#b00'>{escape(str(error))}</span>"
            return
        self.run = simulate(self.deployment, rng=int(self.controls["seed"].value))
        self.figure.clear()
        alarms = list(self.deployment.alarms)
        ax, panels = _figures.traffic_axes(self.figure, len(alarms))
        _figures.draw_traffic(ax, self.run, self.deployment, error_rate=True, below=bool(panels))
        events = self.run.events
        for k, (panel, alarm) in enumerate(zip(panels, alarms)):
            _figures.draw_alarm(
                panel, self.run, self.deployment, alarm, events, last=k == len(panels) - 1
            )
        summary = self.run.summary()
        self.summary.value = escape(
            f"{summary['status']}"
            + (f" ({summary['error_code']})" if summary["error_code"] else "")
            + f" after {summary['duration_minutes']:.1f} min; the new version served "
            f"{summary['target_invocations']} calls, {summary['target_errors']} errors"
        )
        if get_ipython() is not None:  # in a notebook: show the new figure in place
            self.output.clear_output(wait=True)
            with self.output:
                display(self.figure)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _checked(deployment: object, rng: object) -> LambdaDeployment | EcsDeployment:
    """``deployment``, once it and the seed are ones the explorer can start from."""
    if not isinstance(deployment, (LambdaDeployment, EcsDeployment)):
        raise ConfigError(
            f"explore: deployment must be a LambdaDeployment or an EcsDeployment; got "
            f"{type(deployment).__name__}."
        )
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise ConfigError(f"explore: rng must be an integer seed >= 0; got {rng!r}.")
    return deployment


def _rate_field(deployment: LambdaDeployment | EcsDeployment) -> str:
    """The deployment's request-rate field: its platform's ``rate_field``."""
    field = platform_for(deployment, caller="explore").rate_field
    assert field is not None  # Lambda and ECS serve requests
    return field


def _boxes(widgets: Any) -> Callable[..., Any]:
    """A maker of controls in the explorer's one style: ``box(kind, label, **options)``."""
    style = {"description_width": "150px"}
    layout = widgets.Layout(width="360px")

    def box(kind: Any, label: str, **options: Any) -> Any:
        return kind(description=label, style=style, layout=layout, **options)

    return box


def _deployment_controls(
    widgets: Any,
    box: Callable[..., Any],
    base: LambdaDeployment | EcsDeployment,
    rate_field: str,
) -> dict[str, Any]:
    """The configuration, the request rate and the new version's error rate, as in ``base``."""
    platform = base.deployment_config.compute_platform
    names = [c.name for c in predefined_configs(platform)]
    config = base.deployment_config.name
    if config not in names:
        names.insert(0, config)
    # Lambda's rate is also readable under ECS's name, requests_per_minute.
    rate = rate_profile("explore", rate_field, base.requests_per_minute).value_at(0.0)
    error_rate = base.target.error_rate
    return {
        "config": box(widgets.Dropdown, "configuration", options=names, value=config),
        rate_field: box(
            widgets.IntSlider,
            "calls per minute" if platform == "Lambda" else "requests per minute",
            min=10,
            max=5000,
            step=10,
            value=int(rate),
        ),
        "error_rate": box(
            widgets.FloatSlider,
            "new version error rate",
            min=0.0,
            max=0.5,
            step=0.005,
            value=float(error_rate) if isinstance(error_rate, (int, float)) else 0.02,
            readout_format=".3f",
        ),
    }


def _alarm_controls(widgets: Any, box: Callable[..., Any], alarm: Alarm) -> dict[str, Any]:
    """The first alarm's metric, threshold, N, M and missing-data treatment."""
    return {
        "metric": box(
            widgets.Dropdown,
            "alarm metric",
            options=["Errors", "ErrorRate"],
            value=alarm.metric if alarm.metric in ("Errors", "ErrorRate") else "Errors",
        ),
        "threshold": box(widgets.FloatText, "alarm threshold", value=alarm.threshold),
        "evaluation_periods": box(
            widgets.IntSlider, "periods N", min=1, max=10, value=alarm.evaluation_periods
        ),
        "datapoints_to_alarm": box(
            widgets.IntSlider,
            "datapoints M",
            min=1,
            max=alarm.evaluation_periods,
            value=alarm.m,
        ),
        "treat_missing_data": box(
            widgets.Dropdown,
            "missing data",
            options=["missing", "notBreaching", "breaching", "ignore"],
            value=alarm.treat_missing_data,
        ),
    }


def explore(deployment: Any = None, *, rng: int = 0) -> Explorer:
    """Explore a Lambda or ECS deployment interactively in a notebook.

    Parameters
    ----------
    deployment : LambdaDeployment or EcsDeployment, optional
        Where the controls start; default a canary with a release failing 2% of calls and
        SAM's two-minute Errors alarm. The first alarm gets the alarm controls.
    rng : int
        The seed the ``seed`` control starts at.

    Returns
    -------
    Explorer
        Shown as controls over the figure when it is the last line of a cell.
    """
    return Explorer(deployment, rng=rng)
