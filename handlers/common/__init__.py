"""What every feature shares: callback data, keyboards, filters, states, texts, errors, the menu
and the fallback. It imports no feature package."""
