"""The Microsoft Teams adapter (issue 7): SDK inbound, Bot Connector outbound, Adaptive Cards."""
