"""Names the companion shares between its modules."""

DOMAIN = "kp_reload"
TITLE = "kp code reload (development only)"
# Bumped with every change of the companion's behaviour; kp compares files, not this number.
VERSION = "1.0.0"
