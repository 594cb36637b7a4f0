"""Loading: read a jurisdiction file safely into data that knows the line of every value."""
