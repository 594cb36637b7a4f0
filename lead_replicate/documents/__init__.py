"""Documents: the template context, templating, the PDF engine, safe output and the packet."""
