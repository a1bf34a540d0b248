"""Think Tank: the performance analytics engine of a Local Safeguarding Children Partnership.

The core never imports streamlit: pages read widgets, call these functions and render.
"""
