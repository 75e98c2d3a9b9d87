"""Articles: reading them from the articles folder, importing files, pages and tables, fetching pages."""
