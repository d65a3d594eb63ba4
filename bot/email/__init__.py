"""The email adapter: members outside the chat workspace reached by email (Graph or SMTP), with
links to the answer page (bot/page/). See README, "Email and the answer page"."""
