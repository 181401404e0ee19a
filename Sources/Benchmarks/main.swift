// Benchmarks: filled in by later issues.
