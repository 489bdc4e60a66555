"""The guard's input and output scanners; the interface is in
:mod:`~drillhall.llm.guard.scanners.base`."""
