"""The front ends: the Python entry point (runner), `tlscosim run`, `tlscosim bench`, the profiler."""
