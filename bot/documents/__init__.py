"""Documents made of reports: printable PDF."""
