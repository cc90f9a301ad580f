"""An animation of a Lambda or ECS deployment, for teaching.

:func:`animate` replays a finished run minute by minute: the traffic moving to the new
version, the requests each version served and the errors, the alarm's datapoints arriving
(``metric_delay`` after their period ends, decision D3) and its M-of-N window sliding over
them, its state, and the rollback. Save it as a GIF with matplotlib's Pillow writer (Pillow
comes with matplotlib) or embed it in a notebook as HTML with ``to_jshtml()``; neither needs
ffmpeg. Like :mod:`shiftsim.plot`, this module imports matplotlib; ``import shiftsim`` does not.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import shiftsim
>>> from shiftsim.animate import animate
>>> bad = shiftsim.LambdaDeployment(
...     "Linear10PercentEvery1Minute", invocations_per_minute=600,
...     target=shiftsim.Version("2", error_rate=0.2),
...     alarms=[shiftsim.Alarm("errors", threshold=0, evaluation_periods=2)])
>>> movie = animate(shiftsim.simulate(bad, rng=7), frames=2)
>>> picture = gif(movie, fps=2, dpi=30)  # shown inline in a notebook; or movie.save("x.gif")
>>> picture.data[:6]
b'GIF89a'

``movie.to_jshtml()`` gives HTML with play/pause buttons instead (its button icons come from a
web font, so it needs a network connection); :func:`gif` needs nothing.
"""

from __future__ import annotations

import base64
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.transforms import blended_transform_factory

from shiftsim._figures import traffic as _figures
from shiftsim.errors import ConfigError

__all__ = ["Gif", "animate", "gif"]


def animate(
    run: Any, *, frames: int = 60, interval: int = 150, alarm: str | None = None
) -> FuncAnimation:
    """Animate a Lambda or ECS run: traffic, requests and errors, the alarm, the rollback.

    Three panels share the time axis: the share of traffic on the new version up to the
    current instant; the requests each version served per minute and the new version's
    errors, minute by minute as the minutes end; and the alarm's datapoints as CloudWatch
    receives them, with its threshold, the window of its last N periods and its state. A red
    line marks the rollback once it has happened.

    Parameters
    ----------
    run : TrafficRun or EcsRun
        From :func:`shiftsim.simulate`.
    frames : int
        Number of frames, evenly spread from the start to a little after the end (at least 2).
    interval : int
        Milliseconds between frames when played.
    alarm : str, optional
        Which alarm to show, by name; default the first (none when the deployment has none).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        ``.save(path, writer="pillow")`` writes a GIF; ``.to_jshtml()`` gives HTML.
    """
    base = _figures.traffic_run(run)
    if not isinstance(frames, int) or isinstance(frames, bool) or frames < 2:
        raise ConfigError(f"animate: frames must be an integer >= 2; got {frames!r}.")
    deployment = _figures.deployment_of(run)
    alarms = _figures.watched_alarms(deployment)
    chosen = None
    if alarm is not None:
        chosen = next((a for a in alarms if a.name == alarm), None)
        if chosen is None:
            names = ", ".join(repr(a.name) for a in alarms) or "none"
            raise ConfigError(
                f"animate: alarm must name one of the run's alarms ({names}); got {alarm!r}."
            )
    elif alarms:
        chosen = alarms[0]
    movie = _Movie(base, deployment, chosen)
    times = np.linspace(0.0, movie.right, frames)
    animation = FuncAnimation(
        movie.fig, movie.update, frames=times, interval=interval, blit=False, repeat=False
    )
    plt.close(movie.fig)  # shown by the animation, not as a still figure too
    return animation


@dataclass(frozen=True, slots=True)
class Gif:
    """A rendered animation: the bytes of a GIF, shown inline in a notebook.

    Attributes
    ----------
    data : bytes
        The GIF file.
    """

    data: bytes

    def save(self, path: str | Path) -> Path:
        """Write the GIF to ``path``; returns the path."""
        out = Path(path)
        out.write_bytes(self.data)
        return out

    def _repr_html_(self) -> str:
        encoded = base64.b64encode(self.data).decode("ascii")
        return f'<img src="data:image/gif;base64,{encoded}" alt="animated deployment"/>'


def gif(animation: FuncAnimation, *, fps: int = 4, dpi: float = 72.0) -> Gif:
    """Render an animation from :func:`animate` as a GIF with matplotlib's Pillow writer.

    Parameters
    ----------
    animation : FuncAnimation
        From :func:`animate`.
    fps : int
        Frames per second.
    dpi : float
        Resolution: the figure's size in inches times ``dpi`` gives its size in pixels.

    Returns
    -------
    Gif
        Shown inline in a notebook (an ``<img>``, no script, no network); ``.save(path)``
        writes it.
    """
    if not isinstance(animation, FuncAnimation):
        raise ConfigError(
            f"gif: animation must come from shiftsim.animate.animate; got "
            f"{type(animation).__name__}."
        )
    if isinstance(fps, bool) or not isinstance(fps, int) or fps < 1:
        raise ConfigError(f"gif: fps must be an integer >= 1; got {fps!r}.")
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not dpi > 0:
        raise ConfigError(f"gif: dpi must be a number > 0; got {dpi!r}.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "animation.gif"
        animation.save(path, writer=PillowWriter(fps=fps), dpi=dpi)
        return Gif(path.read_bytes())


class _Movie:
    """The figure, the artists each frame updates, and the update."""

    def __init__(self, run: Any, deployment: Any, alarm: Any):
        self.run, self.alarm = run, alarm
        out = run.outcome
        self.end = out.end_time / 60.0
        self.right = max(self.end, 1.0) * 1.08
        points = _figures.weight_changes(run)
        self.shift_times = np.array([t for t, _ in points], dtype=float)
        self.shift_values = np.array([w for _, w in points], dtype=float)
        frame = run.timeline
        self.minutes = frame["minute"].to_numpy(float)
        self.target = frame["target_invocations"].to_numpy(float)
        self.current = frame["current_invocations"].to_numpy(float)
        self.errors = frame["target_errors"].to_numpy(float)
        rollbacks = run.events[run.events["event"] == "Rollback"]
        self.rollback = float(rollbacks["minute"].iloc[0]) if len(rollbacks) else None
        self.delay = _figures.metric_delay(deployment) / 60.0
        panels = 3 if alarm is not None else 2
        self.fig, axes = plt.subplots(
            panels,
            1,
            figsize=(7.2, 2.2 + 1.9 * panels),
            sharex=True,
            layout="constrained",
            height_ratios=[1.3] + [1.0] * (panels - 1),
        )
        self.share_ax, self.req_ax = axes[0], axes[1]
        self.alarm_ax = axes[2] if alarm is not None else None
        self._setup()

    # ------------------------------------------------------------------ layout
    def _setup(self) -> None:
        ax = self.share_ax
        platform = _figures.platform_of(self.run)
        subject = "replacement task set" if platform == "ECS" else "new version"
        (self.share,) = ax.step([], [], where="post", color="tab:blue", lw=2.2)
        ax.set_xlim(0, self.right)
        ax.set_ylim(-2, 105)
        ax.set_ylabel(f"traffic on the\n{subject} (%)")
        self.clock = ax.set_title("")
        self.cursors = [a.axvline(0, color="black", lw=0.8, alpha=0.6) for a in self._axes()]
        self.rollback_lines = [
            a.axvline(self.rollback or 0.0, color="tab:red", lw=2, ls="--", visible=False)
            for a in self._axes()
        ]
        top = max(float((self.target + self.current).max(initial=0.0)), 1.0) * 1.35
        req = self.req_ax
        n = len(self.minutes)
        self.bars_current = req.bar(
            self.minutes,
            np.zeros(n),
            width=0.85,
            align="edge",
            color="lightgray",
            label="original version: requests",
        )
        self.bars_target = req.bar(
            self.minutes,
            np.zeros(n),
            width=0.85,
            align="edge",
            color="tab:blue",
            alpha=0.7,
            label=f"{subject}: requests",
        )
        self.bars_errors = req.bar(
            self.minutes,
            np.zeros(n),
            width=0.85,
            align="edge",
            color="tab:red",
            label=f"{subject}: errors",
        )
        req.set_ylim(0, top)
        req.set_ylabel("requests per minute")
        req.legend(loc="upper left", fontsize="x-small", frameon=False, ncols=3)
        if self.alarm_ax is not None:
            self._setup_alarm()
        self._axes()[-1].set_xlabel("minutes since the deployment started")

    def _axes(self) -> list[Any]:
        return [a for a in (self.share_ax, self.req_ax, self.alarm_ax) if a is not None]

    def _setup_alarm(self) -> None:
        ax, alarm = self.alarm_ax, self.alarm
        assert ax is not None
        data = _figures.alarm_datapoints(self.run, alarm)
        if data is None:
            self.points = (np.zeros(0), np.zeros(0), 1.0)
        else:
            self.points = data
        starts, values, per = self.points
        n = len(starts)
        self.alarm_bars = ax.bar(
            starts, np.zeros(n), width=per * 0.85, align="edge", color="tab:gray"
        )
        known = np.isfinite(values)
        self.breach = np.array([bool(known[k] and alarm.breaches(values[k])) for k in range(n)])
        for bar, bad in zip(self.alarm_bars, self.breach):
            bar.set_color("tab:red" if bad else "tab:gray")
        ax.axhline(alarm.threshold, color="black", ls="--", lw=1)
        peak = float(np.nanmax(values)) if known.any() else 0.0
        high = max(peak, float(alarm.threshold), 1e-9) * 1.5 + (1.0 if peak <= 0 else 0)
        ax.set_ylim(-0.04 * high, high)
        ax.set_ylabel(f"{alarm.name}\n{alarm.metric}", fontsize="small")
        # Every datapoint that arrived gets a dot, so that a zero shows and a gap means missing.
        (self.dots,) = ax.plot([], [], "o", color="black", ms=3.5, ls="none")
        self.window = ax.axvspan(0, 0, color="gold", alpha=0.3, lw=0, zorder=0)
        self.history = _figures.alarm_history(alarm, self.run.events)
        self.state = ax.text(
            0.01, 0.95, "", transform=ax.transAxes, va="top", fontsize="small", fontweight="bold"
        )
        ax.text(
            0.99,
            0.95,
            f"{alarm.m} of {alarm.evaluation_periods} must breach",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize="x-small",
            color="dimgray",
        )
        self.band = blended_transform_factory(ax.transData, ax.transAxes)

    # ------------------------------------------------------------------ frames
    def update(self, t: float) -> list[Any]:
        now = min(t, self.end)
        shown = self.shift_times <= now + 1e-9
        xs = np.append(self.shift_times[shown], now)
        ys = np.append(self.shift_values[shown], self.shift_values[shown][-1])
        self.share.set_data(xs, ys)
        for cursor in self.cursors:
            cursor.set_xdata([t, t])
        done = self.minutes + 1.0 <= t + 1e-9
        for k, (current, target, errors) in enumerate(
            zip(self.bars_current, self.bars_target, self.bars_errors)
        ):
            c = self.current[k] if done[k] else 0.0
            g = self.target[k] if done[k] else 0.0
            current.set_height(c)
            target.set_y(c)
            target.set_height(g)
            errors.set_y(c)
            errors.set_height(self.errors[k] if done[k] else 0.0)
        rolled = self.rollback is not None and t >= self.rollback - 1e-9
        for line in self.rollback_lines:
            line.set_visible(rolled)
        label = f"minute {t:4.1f}: {ys[-1]:.0f}% of traffic on the new version"
        if rolled:
            label += " \u2014 rolled back"
        elif t > self.end + 1e-9:
            label += f" \u2014 {self.run.outcome.status}"
        self.clock.set_text(label)
        if self.alarm_ax is not None:
            self._update_alarm(t)
        return []

    def _update_alarm(self, t: float) -> None:
        starts, values, per = self.points
        # A datapoint reaches CloudWatch metric_delay after its period ends (D3).
        arrived = starts + per + self.delay <= t + 1e-9
        for bar, value, here in zip(self.alarm_bars, values, arrived):
            bar.set_height(float(value) if here and np.isfinite(value) else 0.0)
            bar.set_visible(bool(here))  # a datapoint not yet in CloudWatch is not drawn
        seen = arrived & np.isfinite(values)
        self.dots.set_data(starts[seen] + per * 0.425, values[seen])
        newest = float(starts[arrived].max() + per) if arrived.any() else 0.0
        oldest = max(newest - self.alarm.evaluation_periods * per, 0.0)
        self.window.set_x(oldest)
        self.window.set_width(max(newest - oldest, 0.0))
        state = [s for m, s in self.history if m <= t + 1e-9][-1]
        self.state.set_text(state)
        self.state.set_color(_figures.STATE_COLORS.get(state, "black"))
