"""Block Kit builders for welcomes, digests, nudges and the Home tab, with slack_sdk's model classes."""
