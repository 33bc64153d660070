"""What the simulator and the dashboard share: settings, the database connection and its schema."""
