"""HTTP serving shared by the demo service, the test doubles and (later) the dashboard."""
