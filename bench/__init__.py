"""xieshang benchmarks: what a completion, a start and an inbox page cost, against SpiffWorkflow alone measured in
the same run. `python -m bench` (make bench) prints the table; `python -m bench.profile` shows where the time goes."""
import engine.procedures  # noqa: F401 - the procedures register with the core, as the app and the CLI do
