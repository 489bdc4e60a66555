"""drillhall's core: types, drills, runner, configuration, policy and redaction."""
