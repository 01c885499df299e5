"""The supervisors' dashboard and the quarterly and half-yearly service reports."""
