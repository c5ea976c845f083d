"""Block Kit builders by feature, beside the shared pieces in `bot.render` and `bot.messages`."""
