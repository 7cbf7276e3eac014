"""Pages that combine domains, one module per topic. Views parse, call the selectors of
dashboards/selectors/ or of the domain apps, and render."""
