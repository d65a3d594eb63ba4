"""What a council's IT team watches: liveness, readiness and Prometheus metrics, served beside the
bot in every mode (Slack HTTP, Teams, and a small side server in Socket Mode). docs/operations.md."""
