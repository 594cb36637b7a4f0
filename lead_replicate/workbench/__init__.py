"""The planning workbench (`serve`): edit a plan in the browser, findings and previews live."""
