"""Accounts: signing up and in, confirming an address, resetting a password, API tokens."""
