"""Accounts, roles and permissions (Flask-free)."""
