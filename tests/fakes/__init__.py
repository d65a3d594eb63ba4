"""Fakes of the outside world (Slack Web API, signed Slack requests) shared by the test suites."""
