"""Pure figure builders: tidy rows and catalogue entries in, a plotly figure dict out.

No callback, no database and no Dash component here, so each builder is unit-tested on a
small frame and costs a few milliseconds (plotly.express is avoided: ~20 ms a figure).
"""
