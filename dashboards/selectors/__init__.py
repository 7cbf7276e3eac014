"""Reads that combine domains, one module per topic (home, tree, map). Each function calls the
domain apps' selectors directly; the domain apps know nothing of the pages that show them."""
