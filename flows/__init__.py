"""Prefect flows: thin orchestration over `pipeline`, which stays free of Prefect."""
