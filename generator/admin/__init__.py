"""The browser editor at /admin/: Decap CMS, configured from site.toml, served from the site itself."""
