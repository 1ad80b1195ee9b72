"""Everything that styles output lives here: the console factory, the theme, the renderers."""
