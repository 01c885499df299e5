"""The shops' guarantee deposits, for the platform's staff and admins: balances, ledgers, payouts."""
