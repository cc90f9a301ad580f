"""The teaching animation: rendered headless (Agg) with a few frames, checked by content."""

from __future__ import annotations

import doctest
from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

import shiftsim
from shiftsim import animate as animate_module
from shiftsim.animate import Gif, _Movie, animate, gif
from shiftsim.errors import ConfigError


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def regression() -> shiftsim.TrafficRun:
    deployment = shiftsim.LambdaDeployment(
        "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
        invocations_per_minute=600,
        target=shiftsim.Version("2", error_rate=shiftsim.Profile.step(3, 0.0, 0.2)),
        alarms=[shiftsim.Alarm("errors", threshold=0, evaluation_periods=3, datapoints_to_alarm=2)],
    )
    run = shiftsim.simulate(deployment, rng=7)
    assert run.rolled_back
    return run


@pytest.mark.slow
def test_module_doctests() -> None:
    result = doctest.testmod(animate_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.slow
def test_saved_as_a_gif(tmp_path: Path) -> None:
    movie = animate(regression(), frames=4)
    path = tmp_path / "deployment.gif"
    movie.save(path, writer="pillow", fps=2, dpi=30)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4
        first = np.asarray(gif.convert("RGB")).copy()
        gif.seek(3)
        last = np.asarray(gif.convert("RGB"))
    assert (first != last).any()  # the deployment moves


@pytest.mark.slow
def test_gif_shows_inline_and_saves(tmp_path: Path) -> None:
    movie = animate(regression(), frames=3)
    picture = gif(movie, fps=3, dpi=25)
    assert isinstance(picture, Gif) and picture.data.startswith(b"GIF89a")
    html = picture._repr_html_()
    assert html.startswith('<img src="data:image/gif;base64,') and "http" not in html
    saved = picture.save(tmp_path / "run.gif")
    with Image.open(saved) as image:
        assert image.n_frames == 3
    with pytest.raises(ConfigError, match="fps must be an integer >= 1"):
        gif(movie, fps=0)
    with pytest.raises(ConfigError, match="animation must come from"):
        gif("movie")  # type: ignore[arg-type]


def test_frames_show_traffic_requests_alarm_window_and_rollback() -> None:
    """Datapoints arrive metric_delay (60 s) after their minute ends (decision D3); the alarm
    evaluates its last N = 3 periods and needs M = 2 breaching (cloudwatch-alarms.md 1)."""
    run = regression()
    movie = _Movie(run, run.deployment, run.deployment.alarms[0])
    movie.update(2.5)
    assert movie.clock.get_text().startswith("minute  2.5: 30% of traffic")
    assert not movie.rollback_lines[0].get_visible()
    heights = [bar.get_height() for bar in movie.bars_target]
    assert heights[0] > 0 and heights[1] > 0 and heights[2] == 0  # minute 2 has not ended
    assert movie.state.get_text() == "INSUFFICIENT_DATA" or movie.state.get_text() == "OK"
    # At 2.5 min the datapoints of minutes 0 (at 2:00) have arrived, minute 1's at 3:00 not.
    assert movie.window.get_x() == 0 and movie.window.get_width() == 1
    assert [bar.get_visible() for bar in movie.alarm_bars][:3] == [True, False, False]
    end = run.duration / 60
    movie.update(end + 0.1)
    assert movie.rollback_lines[0].get_visible()
    assert movie.clock.get_text().endswith("rolled back")
    assert movie.state.get_text() == "ALARM"
    assert movie.window.get_width() == 3  # the N = 3 periods it evaluated


def test_a_run_without_alarms_has_two_panels_and_bad_input_is_refused() -> None:
    run = shiftsim.simulate(shiftsim.LambdaDeployment("Canary10Percent5Minutes"), rng=1)
    movie = _Movie(run, run.deployment, None)
    assert len(movie.fig.axes) == 2
    with pytest.raises(ConfigError, match="frames must be an integer >= 2"):
        animate(run, frames=1)
    with pytest.raises(ConfigError, match="alarm must name one of the run's alarms"):
        animate(run, alarm="nope")
