"""The notification bell: a list of one's notifications, marking them read."""
