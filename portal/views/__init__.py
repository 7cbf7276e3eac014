"""Public pages (no sign-in), one module per topic. They show no personal data and no staff names."""
