"""The run-time LLM guard: input and output scanners, proxy and prompt-injection detector."""
