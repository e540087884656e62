"""Outer middlewares every update passes through, in the order app.py registers them."""
