"""drillhall's command line: parse, build objects, call the library, render. Nothing else."""
