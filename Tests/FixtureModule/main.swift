// Fixture module for worker pool tests.
