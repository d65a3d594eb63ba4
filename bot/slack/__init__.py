"""The Slack adapter: verify, acknowledge, parse, render, send. No business rules live here."""
