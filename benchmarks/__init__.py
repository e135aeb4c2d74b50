"""The project's benchmarks and the matching engine's offline evaluation: outside the installed
package, run from the repository (`make bench`, `python -m benchmarks [family]`). They build the
app with clausematch.create_app and call the features' public functions."""
