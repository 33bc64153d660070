"""The kitchen as it is laid out: stations, equipment, roles, routes and packing (layout.py), simulated (kitchen.py)."""
