"""The dashboard: a Plotly Dash app that shows, while the simulator runs, how the kitchen is doing."""
