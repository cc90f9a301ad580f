"""Upper bounds where the cost of a simulation follows a number (private; issue 16).

Each is checked before anything is built, by the API (the deployment, fleet and traffic classes,
``monte_carlo``/``compare``/``sweep``) and by scenario files and the CLI alike, so a 9-line file or
one keyword argument cannot ask for gigabytes or hours. The scenario package re-exports them.
"""

from __future__ import annotations

__all__ = [
    "MAX_DURATION_SECONDS",
    "MAX_FLEET_SIZE",
    "MAX_INSTALL_SECONDS",
    "MAX_PLAN_STEPS",
    "MAX_RATE",
    "MAX_RUNS",
    "MAX_TRAFFIC_COUNT",
    "MIN_ALARM_POLL_INTERVAL",
]

#: Most Monte Carlo runs ``monte_carlo``, ``compare``, ``sweep``, a scenario file or ``--runs``
#: may ask for. Runs are simulated in chunks, but every run keeps a row of results (tens of
#: bytes), so 10**8 runs already hold gigabytes; the estimate's error is about 0.005 percentage
#: points there.
MAX_RUNS = 100_000_000
#: Largest fleet (instances) the API builds (``Fleet``, ``Fleet.of_size``, a fleet plus its
#: scale-outs): 1000 times CodeDeploy's limit of 1000 instances per deployment (UG:limits.md,
#: OVER_MAX_INSTANCES; codedeploy.md section 8), and the size the benchmarks roll out (README,
#: Performance: about 1.1 s and 0.74 GB on the kernel). Scenario files allow 100,000
#: (``shiftsim.scenario.MAX_FLEET_SIZE``).
MAX_FLEET_SIZE = 1_000_000
#: Highest traffic, in calls or requests per minute (over 16 million a second): per-minute counts
#: stay exact in float64 and far inside int64 and numpy's Poisson sampler.
MAX_RATE = 1e9
#: Shortest alarm poll interval, in seconds. CloudWatch stores at most one datapoint a second
#: (1-second StorageResolution, cloudwatch-alarms.md section 1), so faster polls see nothing new;
#: the cost of a simulation grows with the number of polls.
MIN_ALARM_POLL_INTERVAL = 1.0
#: Longest ECS install (seconds): 120 hours, the longest wait between the deployment of a
#: revision and the traffic shift on ECS (UG:limits.md; codedeploy.md section 12, trap 9).
MAX_INSTALL_SECONDS = 120 * 3600
#: Longest of any other modelled duration (a hook, a metric delay), in seconds: 109 hours, the
#: longest deployment CodeDeploy allows (EC2 blue/green; UG:limits.md, codedeploy.md 10.4).
MAX_DURATION_SECONDS = 109 * 3600
#: Most calls a traffic plan may carry (rate x minutes): below 2**53, so every count is exact in
#: float64 and far inside int64 (the kernel's counters).
MAX_TRAFFIC_COUNT = 2**53
#: Most alarm polls plus minutes (of the deployment and of alarm history) one Lambda or ECS plan
#: may hold: its cost follows that number. Default 60-s polls fit any deployment the other limits
#: allow; 1-s polls fit about 13 hours.
MAX_PLAN_STEPS = 50_000
