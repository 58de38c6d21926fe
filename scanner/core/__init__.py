"""The core: the scan engine, column classification, scan configuration, DDL classification."""
