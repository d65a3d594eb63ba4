"""The answer page: `/r/<token>` links in emails, served by the bot (README, "Email and the
answer page")."""
